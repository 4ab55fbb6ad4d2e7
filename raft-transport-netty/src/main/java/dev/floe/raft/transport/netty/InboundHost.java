/*
 * Copyright The Floe authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.floe.raft.transport.netty;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.RaftMessage;
import io.netty.channel.Channel;

/** What an accepted connection's {@link InboundHandler} needs from its transport. */
interface InboundHost {

  /** Returns the local node. */
  NodeId self();

  /** Returns the cluster id that handshakes must name. */
  String clusterId();

  /** Returns how the node reads handshakes, and which protocol versions it speaks. */
  HandshakeDialect dialect();

  /**
   * Returns why {@code channel}'s TLS certificate does not bind it to {@code claimed}, the node id
   * its handshake claims (for example {@code "its TLS certificate names node n2 (subject CN=n2),
   * not n3"}), or null if it does, or if node identity is not checked (no TLS, or turned off).
   */
  String identityProblem(Channel channel, NodeId claimed);

  /** Returns whether {@code id} is a current peer (not the local node). */
  boolean isPeer(NodeId id);

  /** Records that {@code channel} now carries messages from {@code peer} on {@code lane}. */
  void inboundAccepted(NodeId peer, Lane lane, Channel channel);

  /** Records that {@code channel}, which carried messages from {@code peer}, closed. */
  void inboundClosed(NodeId peer, Lane lane, Channel channel);

  /** Passes a received message to the node; never throws. */
  void deliver(RaftMessage message);

  /** Counts a received message that was dropped. */
  void receivedDropped();

  /**
   * Returns whether a refusal described by {@code key} (dialer host, claimed node and cluster,
   * reason) is new, so worth a WARN rather than a DEBUG line; a dialer that is refused keeps
   * redialing.
   */
  boolean firstRefusal(String key);
}
