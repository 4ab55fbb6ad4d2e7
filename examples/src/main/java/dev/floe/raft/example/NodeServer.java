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
package dev.floe.raft.example;

import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftNodeBuilder;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.metrics.micrometer.MicrometerMetrics;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.storage.file.FileLogStore;
import dev.floe.raft.storage.file.FileLogStoreOptions;
import dev.floe.raft.storage.file.FileSnapshotStore;
import dev.floe.raft.transport.netty.NettyTransport;
import dev.floe.raft.transport.netty.NettyTransportOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of the example: a {@link RaftNode} over a {@link FileLogStore} in {@code DIR/raft}, a
 * {@link FileSnapshotStore} in {@code DIR/raft/snapshots} and a {@link NettyTransport}, serving
 * the values state machine ({@code DIR/values.log}) and the key-value store, with the
 * {@link HttpApi} in front.
 *
 * <p>This class is the whole of "embedding Floe": build a store, a transport and a state machine,
 * hand them to {@link RaftNode#builder()}, start, and close in reverse order.
 *
 * <p>Starting is ordered so that a node that refuses to start changes nothing a user looks at: the
 * HTTP port is bound first (a port in use fails at once), then the node starts (its stores are
 * opened and checked: a corrupt log or the data directory of another node or cluster fails here,
 * as does its Raft port), and only then does the values.log rebuilt meanwhile replace the old one
 * (see {@link ValuesStateMachine#publish()}) and the HTTP API start answering.
 */
final class NodeServer implements AutoCloseable {
  /** The size of each InstallSnapshot chunk a leader sends. */
  static final int SNAPSHOT_CHUNK_BYTES = 1 << 20;
  private static final Logger log = LoggerFactory.getLogger(NodeServer.class);

  private final RaftNode node;
  private final ValuesStateMachine values;
  private final HttpServer http;
  private final Joiner joiner;

  private NodeServer(RaftNode node, ValuesStateMachine values, HttpServer http, Joiner joiner) {
    this.node = node;
    this.values = values;
    this.http = http;
    this.joiner = joiner;
  }

  /**
   * Starts a node and its HTTP API.
   *
   * @param id this node
   * @param clusterId the cluster's id; needed on a new data directory, checked against the one the
   *     directory records otherwise; null to take it from the directory
   * @param cluster every member's Raft address, this node's included; when joining, the running
   *     members' (those added at run time may be left out: their address is in the configuration)
   * @param httpAddress where to serve the HTTP API
   * @param dataDir the node's directory: {@code raft/} (the log) and {@code values.log}
   * @param electionTimeoutMillis the shortest election timeout (the longest is twice that)
   * @param snapshotOptions when to snapshot and compact the log, and the chunk size of transfers
   * @param join empty to start (or restart) a member of the cluster {@code cluster} describes;
   *     otherwise the HTTP addresses of running members, to enter their cluster: the node starts
   *     with no configuration ({@link RaftNodeBuilder#join()}) and asks them to add it as a voter
   *     (see {@link Joiner})
   * @param learner with {@code join}: ask to be added as a learner rather than a voter
   * @param httpLimits the HTTP server's timeouts and connection limit
   * @param clusterHttp the nodes' HTTP addresses ({@code --cluster-http}), from which {@code GET
   *     /cluster} and the live page show every node; empty to show the others as unknown
   * @throws dev.floe.raft.IdentityMismatchException if the data directory belongs to another node
   *     or cluster
   * @throws IOException if a port cannot be bound or the stores cannot be opened (the message says
   *     which and why)
   * @throws IllegalArgumentException if the options contradict what the data directory records
   */
  static NodeServer start(NodeId id, ClusterId clusterId, Map<NodeId, InetSocketAddress> cluster,
      InetSocketAddress httpAddress, Path dataDir, long electionTimeoutMillis,
      SnapshotOptions snapshotOptions, List<URI> join, boolean learner, HttpLimits httpLimits,
      Map<NodeId, URI> clusterHttp) throws IOException {
    return start(id, clusterId, cluster, httpAddress, dataDir, electionTimeoutMillis,
        snapshotOptions, join, learner, httpLimits, clusterHttp, null);
  }

  /**
   * As {@link #start(NodeId, ClusterId, Map, InetSocketAddress, Path, long, SnapshotOptions, List,
   * boolean, HttpLimits, Map)}, founding a new cluster of this node alone from a backup file when
   * {@code restoreFrom} is not null ({@link RaftNodeBuilder#restoreFrom}; {@code cluster} must then
   * name this node only).
   */
  static NodeServer start(NodeId id, ClusterId clusterId, Map<NodeId, InetSocketAddress> cluster,
      InetSocketAddress httpAddress, Path dataDir, long electionTimeoutMillis,
      SnapshotOptions snapshotOptions, List<URI> join, boolean learner, HttpLimits httpLimits,
      Map<NodeId, URI> clusterHttp, Path restoreFrom) throws IOException {
    if (!cluster.containsKey(id)) {
      throw new IllegalArgumentException("--id " + id + " is not in --cluster " + cluster.keySet());
    }
    Files.createDirectories(dataDir.resolve("raft"));
    HttpServer http = HttpServer.bind(httpAddress, httpLimits);
    ValuesStateMachine values = null;
    RaftNode node = null;
    try {
      values = new ValuesStateMachine(dataDir.resolve("values.log"));
      StateMachine stateMachine = new FailStopStateMachine(
          new CompositeStateMachine(values, new KeyValueStateMachine()));
      NettyTransport transport = new NettyTransport(NettyTransportOptions.builder()
          .bindAddress(cluster.get(id))
          .peers(cluster)
          .build());
      FileLogStore store = new FileLogStore(dataDir.resolve("raft"), FileLogStoreOptions.DEFAULTS);
      RaftOptions options = RaftOptions.defaults()
          .withElectionTimeout(electionTimeoutMillis, 2 * electionTimeoutMillis)
          .withHeartbeatInterval(Math.max(10, electionTimeoutMillis / 3));
      FileSnapshotStore snapshots =
          new FileSnapshotStore(dataDir.resolve("raft").resolve("snapshots"));
      // The node's meters (and its store's and transport's), served as GET /metrics.
      MeterRegistry metrics = new SimpleMeterRegistry();
      RaftNodeBuilder builder = RaftNode.builder().id(id).metrics(new MicrometerMetrics(metrics));
      if (clusterId != null) {
        builder.clusterId(clusterId); // recorded on a new data directory, checked on an old one
      }
      if (restoreFrom != null) {
        builder.restoreFrom(restoreFrom); // refused unless cluster names this node alone
      }
      if (join.isEmpty()) {
        // The founding members: recorded on a new data directory, checked on an old one.
        builder.members(new ArrayList<>(cluster.keySet()));
      } else {
        // No configuration until the leader adds this node; after a restart, the one in its log.
        builder.join();
      }
      node = builder
          .stateMachine(stateMachine)
          .transport(transport)
          .logStore(store)
          // Snapshots bound the log; values.log is rewritten from a snapshot on restore, so it
          // stays exactly-once.
          .snapshots(snapshots, snapshotOptions)
          .options(options)
          .build();
      node.start();
      // The stores are open and belong to this node: the rebuilt values.log may replace the old.
      values.publish();
      // latest() is a cached value, safe to read from the HTTP threads.
      LongSupplier snapshotIndex = () -> snapshots.latest().map(SnapshotMeta::index).orElse(0L);
      Map<NodeId, String> staticAddresses = new LinkedHashMap<>();
      cluster.forEach((member, address) -> staticAddresses.put(member, Addresses.format(address)));
      NodeView view = new NodeView(node, store, values, dataDir.resolve("values.log"), snapshotIndex);
      http.serve(new HttpApi(node, snapshotIndex, staticAddresses, view, clusterHttp, metrics)
          .withBackups(dataDir.resolve("backups")));
      URI self = URI.create("http://" + Addresses.format(http.localAddress()));
      ClusterId started = node.clusterId().orElseThrow();
      log.info("{}: HTTP API on {}, data in {}, cluster {}", id, self, dataDir, started);
      Joiner joiner = null;
      if (!join.isEmpty()) {
        List<URI> servers = new ArrayList<>(join);
        servers.remove(self);
        servers.add(self);
        joiner = Joiner.start(id, started, Addresses.format(cluster.get(id)), learner, servers);
      }
      return new NodeServer(node, values, http, joiner);
    } catch (IOException | RuntimeException e) {
      if (node != null) {
        node.close();
      }
      if (values != null) {
        closeQuietly(values); // before publish(), this removes the rebuild: values.log is intact
      }
      http.close();
      throw e;
    }
  }

  /** Returns the Raft node. */
  RaftNode node() {
    return node;
  }

  /** Returns the address the HTTP API listens on. */
  InetSocketAddress httpAddress() {
    return http.localAddress();
  }

  /**
   * Stops asking to join (if it was), serving HTTP, then the node (which closes its transport and
   * store), then values.log.
   */
  @Override
  public void close() {
    if (joiner != null) {
      joiner.close();
    }
    http.close();
    node.close();
    closeQuietly(values);
  }

  private static void closeQuietly(ValuesStateMachine values) {
    try {
      values.close();
    } catch (IOException e) {
      log.warn("closing values.log failed", e);
    }
  }

  /**
   * Stops the process when the state machine cannot write its side output. A RuntimeException from
   * {@code apply} would otherwise count as a rejected command on this node alone, leaving a gap in
   * its values.log; stopping is safe because the durable Raft log rebuilds the file at restart.
   */
  private static final class FailStopStateMachine implements StateMachine {
    private final StateMachine delegate;

    FailStopStateMachine(StateMachine delegate) {
      this.delegate = delegate;
    }

    @Override
    public byte[] apply(long index, byte[] command) {
      try {
        return delegate.apply(index, command);
      } catch (UncheckedIOException e) {
        log.error("cannot write the state machine's output at index {}; stopping", index, e);
        Runtime.getRuntime().halt(74);
        throw e;
      }
    }

    @Override
    public byte[] query(byte[] query) {
      return delegate.query(query);
    }

    @Override
    public void snapshot(java.io.OutputStream out) throws IOException {
      delegate.snapshot(out);
    }

    @Override
    public void restore(java.io.InputStream in) throws IOException {
      delegate.restore(in);
    }
  }
}
