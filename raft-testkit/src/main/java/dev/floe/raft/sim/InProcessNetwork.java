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
package dev.floe.raft.sim;

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.Transport;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Transports that connect nodes in one JVM directly, for tests that run real {@link
 * dev.floe.raft.RaftNode}s on real threads without sockets. A message is handed to the receiver's
 * inbound handler on the sender's thread (which the {@link Transport} contract allows, since
 * handlers do not block). Nodes can be disconnected to simulate a partition.
 *
 * <p>Thread-safe.
 */
public final class InProcessNetwork {
  private final ConcurrentHashMap<NodeId, Consumer<RaftMessage>> receivers = new ConcurrentHashMap<>();
  private final Set<NodeId> disconnected = ConcurrentHashMap.newKeySet();
  /** The cluster of each started node: messages between clusters are dropped, as a handshake would. */
  private final ConcurrentHashMap<NodeId, ClusterId> clusters = new ConcurrentHashMap<>();

  /**
   * A transport for the node {@code id}.
   *
   * @param id the node
   * @return its transport on this network
   */
  public Transport transport(NodeId id) {
    return new Transport() {
      @Override
      public void start(ClusterId clusterId, NodeId self, Consumer<RaftMessage> inbound) {
        if (!self.equals(id)) {
          throw new IllegalArgumentException("transport for " + id + " started as " + self);
        }
        clusters.put(id, clusterId);
        receivers.put(id, inbound);
      }

      @Override
      public void send(RaftMessage message) {
        if (disconnected.contains(message.from()) || disconnected.contains(message.to())) {
          return;
        }
        ClusterId toCluster = clusters.get(message.to());
        if (toCluster != null && !toCluster.equals(clusters.get(message.from()))) {
          return; // another cluster's node: a real transport refuses the connection
        }
        Consumer<RaftMessage> receiver = receivers.get(message.to());
        if (receiver != null) {
          receiver.accept(message);
        }
      }

      @Override
      public void close() {
        receivers.remove(id);
      }
    };
  }

  /**
   * Drops every message to or from the node until {@link #reconnect}.
   *
   * @param id the node
   */
  public void disconnect(NodeId id) {
    disconnected.add(id);
  }

  /**
   * Delivers the node's messages again.
   *
   * @param id the node
   */
  public void reconnect(NodeId id) {
    disconnected.remove(id);
  }
}
