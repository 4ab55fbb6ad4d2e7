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
package dev.floe.raft.spi;

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.RaftMessage;
import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Carries {@link RaftMessage}s between nodes. Raft tolerates loss, duplication, delay and
 * reordering, so a transport needs to do no more than try: it may drop a message at any time
 * (for instance while a peer is unreachable), and Raft resends what matters.
 *
 * <h2>Threading</h2>
 * {@link #send} is called from the node's event loop, and also from the thread that completes the
 * {@link LogStore}'s syncs (answers that may leave only once a write is durable go out from there),
 * so it must be thread-safe; it must not block and must not throw.
 * {@code inbound} may be called from any thread, concurrently; it does not block.
 *
 * <h2>Failures</h2>
 * {@link #start} fails with an exception naming the cause (a port in use, a bad key). A malformed,
 * oversized or unauthenticated message must be dropped (and logged), never handed to the node.
 */
public interface Transport extends Closeable {

  /**
   * Starts receiving messages addressed to {@code self} and passes each to {@code inbound}. A
   * transport that connects to other processes must make sure that both ends belong to {@code
   * clusterId} (for instance in a handshake) and refuse, with an error naming both ids, a peer of
   * another cluster.
   *
   * @param clusterId the cluster the local node belongs to, as recorded in its data directory
   * @param self the local node
   * @param inbound where received messages go
   * @throws IOException if the transport cannot start
   */
  void start(ClusterId clusterId, NodeId self, Consumer<RaftMessage> inbound) throws IOException;

  /**
   * Sends a message to {@link RaftMessage#to()}, or drops it. Never blocks and never throws; a
   * message to an unknown node is dropped and logged.
   *
   * @param message the message
   */
  void send(RaftMessage message);

  /**
   * Tells the transport the membership in effect, at start and whenever it changes (on the node's
   * event loop; it must not block). A transport that learns peers' addresses from the log uses
   * {@link Configuration#address}; the default does nothing.
   *
   * @param configuration the configuration in effect
   */
  default void membersChanged(Configuration configuration) {}

  /**
   * An event loop the node may run its consensus loop on: one of the transport's own I/O threads,
   * on which received messages arrive and sent ones are written, so that neither takes a thread
   * hand-off. Called once, before {@link #start}; the loop must run until {@link #close}. Empty
   * (the default): the node runs a loop thread of its own.
   *
   * @return a loop of the transport's, or empty
   */
  default Optional<EventLoop> eventLoop() {
    return Optional.empty();
  }

  /**
   * The largest message this transport carries, in bytes of its own encoding, or {@link
   * Integer#MAX_VALUE} if it has no limit. A node checks at start that its largest command
   * ({@code RaftOptions.maxCommandBytes}) fits with room for a message's framing.
   *
   * @return the limit, in bytes
   */
  default int maxMessageBytes() {
    return Integer.MAX_VALUE;
  }

  /** Stops sending and receiving and releases resources. Idempotent. */
  @Override
  void close();

  /**
   * Reports the transport's own measurements (queued bytes per peer, dropped messages, ...).
   * Called once, before {@link #start}, when the node has a metrics sink. By default the transport
   * reports nothing.
   *
   * @param metrics where to create the transport's meters
   * @param tags the node's tags, to put on every meter so that they group with the node's own
   */
  default void bindMetrics(MetricsSink metrics, Map<String, String> tags) {}
}
