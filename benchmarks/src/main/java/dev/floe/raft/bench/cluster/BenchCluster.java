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
package dev.floe.raft.bench.cluster;

import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.bench.TempDirs;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.storage.file.FileLogStore;
import dev.floe.raft.storage.file.FileSnapshotStore;
import dev.floe.raft.transport.netty.NettyTransport;
import dev.floe.raft.transport.netty.NettyTransportOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the benchmark builds its nodes: {@link NettyTransport} on 127.0.0.1, {@link FileLogStore}
 * with default options (fsync on, group commit) in the node's own directory, and a state machine
 * that does nothing and returns an empty result. Also the three-node cluster of the in-JVM mode.
 */
final class BenchCluster implements AutoCloseable {
  static final ClusterId CLUSTER_ID = ClusterId.of("floe-bench");
  static final List<NodeId> MEMBERS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private static final byte[] EMPTY = new byte[0];
  /** Applies nothing; its snapshots are empty, so that the log is compacted as in production. */
  static final StateMachine TRIVIAL = new StateMachine() {
    @Override
    public byte[] apply(long index, byte[] command) {
      return EMPTY;
    }

    @Override
    public void snapshot(java.io.OutputStream out) {}

    @Override
    public void restore(java.io.InputStream in) {}
  };

  private final List<RaftNode> nodes = new ArrayList<>();
  private final Path root;
  private final Map<NodeId, Integer> ports;

  private BenchCluster(Path root, Map<NodeId, Integer> ports) {
    this.root = root;
    this.ports = ports;
  }

  /** Picks a free loopback port for each member (bound and released, so a race is possible). */
  static Map<NodeId, Integer> freePorts() throws IOException {
    Map<NodeId, Integer> ports = new LinkedHashMap<>();
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (NodeId id : MEMBERS) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports.put(id, s.getLocalPort());
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    return ports;
  }

  /** Builds (does not start) the node {@code id} of a cluster listening on {@code ports}. */
  static RaftNode node(NodeId id, Map<NodeId, Integer> ports, Path dir, RaftOptions options,
      int ioThreads) {
    Map<NodeId, InetSocketAddress> peers = new LinkedHashMap<>();
    ports.forEach((peer, port) -> {
      if (!peer.equals(id)) {
        peers.put(peer, new InetSocketAddress("127.0.0.1", port));
      }
    });
    NettyTransport transport = new NettyTransport(NettyTransportOptions.builder()
        .bindAddress(new InetSocketAddress("127.0.0.1", ports.get(id)))
        .peers(peers)
        .ioThreads(ioThreads)
        .build());
    return RaftNode.builder()
        .id(id)
        .clusterId(CLUSTER_ID)
        .members(MEMBERS)
        .stateMachine(TRIVIAL)
        .transport(transport)
        .logStore(new FileLogStore(dir))
        .snapshots(new FileSnapshotStore(dir.resolve("snapshots")),
            new SnapshotOptions(100_000, 10_000, 1 << 20))
        .options(options)
        .build();
  }

  /** Starts three nodes in this JVM, each with its own directory under {@code root}. */
  static BenchCluster start(Path root, RaftOptions options, int ioThreads) throws IOException {
    Map<NodeId, Integer> ports = freePorts();
    BenchCluster cluster = new BenchCluster(root, ports);
    try {
      for (NodeId id : MEMBERS) {
        RaftNode n = node(id, ports, root.resolve(id.value()), options, ioThreads);
        cluster.nodes.add(n);
        n.start();
      }
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Waits (polling every 10 ms, at most {@code timeoutMillis}) for a leader and returns it. */
  RaftNode awaitLeader(long timeoutMillis) throws InterruptedException {
    return awaitLeader(nodes, timeoutMillis);
  }

  static RaftNode awaitLeader(List<RaftNode> candidates, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (System.nanoTime() < deadline) {
      for (RaftNode n : candidates) {
        if (n.status().isLeader()) {
          return n;
        }
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("no leader within " + timeoutMillis + " ms");
  }

  List<RaftNode> nodes() {
    return nodes;
  }

  /** Each member's listening port on 127.0.0.1. */
  Map<NodeId, Integer> ports() {
    return ports;
  }

  @Override
  public void close() {
    for (RaftNode n : nodes) {
      n.close();
    }
    TempDirs.deleteRecursively(root);
  }
}
