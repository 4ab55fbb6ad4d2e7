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
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;

/**
 * Transports on 127.0.0.1 for tests. Each binds a free port; once all are started, every one is
 * told every other's address.
 */
final class Cluster implements AutoCloseable {
  static final String CLUSTER_ID = "test-cluster";
  static final dev.floe.raft.cluster.ClusterId CLUSTER = dev.floe.raft.cluster.ClusterId.of(CLUSTER_ID);

  static {
    // Loopback messages arrive in microseconds; poll often rather than Awaitility's 100 ms.
    Awaitility.setDefaultPollDelay(Duration.ZERO);
    Awaitility.setDefaultPollInterval(Duration.ofMillis(5));
  }

  final Map<NodeId, NettyTransport> transports = new LinkedHashMap<>();
  final Map<NodeId, Inbox> inboxes = new HashMap<>();
  private final UnaryOperator<NettyTransportOptions.Builder> customize;

  Cluster(UnaryOperator<NettyTransportOptions.Builder> customize) {
    this.customize = customize;
  }

  Cluster() {
    this(b -> b);
  }

  /** Returns test defaults: loopback, quick backoff. */
  static NettyTransportOptions.Builder defaults(int port) {
    return NettyTransportOptions.builder()
        .bindAddress(new InetSocketAddress("127.0.0.1", port))
        .connectTimeout(Duration.ofSeconds(2))
        .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100))
        .ioThreads(1);
  }

  /** Starts transports for the given ids and connects them all to each other. */
  Cluster start(String... ids) throws IOException {
    for (String id : ids) {
      startNode(NodeId.of(id), 0);
    }
    connectAll();
    return this;
  }

  NettyTransport startNode(NodeId id, int port) throws IOException {
    return startNode(id, port, CLUSTER);
  }

  /** Starts a transport for {@code id} in the given cluster (the others' is {@link #CLUSTER}). */
  NettyTransport startNode(NodeId id, int port, dev.floe.raft.cluster.ClusterId clusterId)
      throws IOException {
    NettyTransport t = new NettyTransport(customize.apply(defaults(port)).build());
    Inbox inbox = new Inbox();
    t.start(clusterId, id, inbox);
    transports.put(id, t);
    inboxes.put(id, inbox);
    return t;
  }

  /** Closes {@code id}'s transport and starts a new one, with a new inbox, on the same port. */
  NettyTransport restart(NodeId id) throws IOException {
    NettyTransport old = transports.get(id);
    int port = old.localAddress().getPort();
    old.close();
    NettyTransport t = startNode(id, port);
    t.updatePeers(addresses());
    return t;
  }

  Map<NodeId, InetSocketAddress> addresses() {
    Map<NodeId, InetSocketAddress> all = new HashMap<>();
    transports.forEach((id, t) -> all.put(id, t.localAddress()));
    return all;
  }

  void connectAll() {
    Map<NodeId, InetSocketAddress> all = addresses();
    transports.values().forEach(t -> t.updatePeers(all));
  }

  NettyTransport get(String id) {
    return transports.get(NodeId.of(id));
  }

  Inbox inbox(String id) {
    return inboxes.get(NodeId.of(id));
  }

  @Override
  public void close() {
    transports.values().forEach(NettyTransport::close);
  }
}
