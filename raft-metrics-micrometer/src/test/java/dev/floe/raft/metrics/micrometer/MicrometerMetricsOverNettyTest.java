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
package dev.floe.raft.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.NodeStoppedException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.storage.file.FileLogStore;
import dev.floe.raft.storage.file.FileSnapshotStore;
import dev.floe.raft.transport.netty.NettyTransport;
import dev.floe.raft.transport.netty.NettyTransportOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node cluster on 127.0.0.1, over Netty and on real files, reporting through {@link
 * MicrometerMetrics} into one {@link SimpleMeterRegistry}: every value asserted is one Floe
 * measured and the registry kept, read back through Micrometer's own API.
 */
class MicrometerMetricsOverNettyTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int WRITES = 100;

  private final List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private final Map<NodeId, RaftNode> nodes = new HashMap<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @TempDir Path dir;

  @BeforeAll
  static void pollOften() {
    Awaitility.setDefaultPollDelay(Duration.ZERO);
    Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
  }

  @AfterEach
  void stop() {
    nodes.values().forEach(RaftNode::close);
  }

  /** Counts applied commands; its snapshot is that count. */
  static final class Tally implements StateMachine {
    private final AtomicLong applied = new AtomicLong();

    @Override
    public byte[] apply(long index, byte[] command) {
      applied.incrementAndGet();
      return command;
    }

    @Override
    public void snapshot(OutputStream out) throws java.io.IOException {
      new DataOutputStream(out).writeLong(applied.get());
    }

    @Override
    public void restore(InputStream in) throws java.io.IOException {
      applied.set(new DataInputStream(in).readLong());
    }
  }

  private void startCluster() throws Exception {
    ClusterId cluster = ClusterId.random();
    Map<NodeId, InetSocketAddress> peers = new HashMap<>();
    for (NodeId id : ids) {
      peers.put(id, new InetSocketAddress("127.0.0.1", freePort()));
    }
    MicrometerMetrics metrics = new MicrometerMetrics(registry, Tags.of("cluster", "test"));
    for (NodeId id : ids) {
      NettyTransport transport = new NettyTransport(NettyTransportOptions.builder()
          .bindAddress(peers.get(id))
          .peers(peers)
          .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100))
          .ioThreads(1)
          .build());
      Path data = dir.resolve(id.value());
      RaftNode node = RaftNode.builder().id(id).clusterId(cluster).members(ids)
          .stateMachine(new Tally()).transport(transport)
          .logStore(new FileLogStore(data))
          .snapshots(new FileSnapshotStore(data.resolve("snapshots")), SnapshotOptions.defaults())
          .metrics(metrics).build();
      node.start();
      nodes.put(id, node);
    }
  }

  /** A port nothing listens on right now (the OS hands out a fresh one each time). */
  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private NodeId awaitLeader() throws Exception {
    return nodes.get(ids.get(0)).awaitLeader(WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private long write(RaftNode leader, int count) throws Exception {
    List<CompletableFuture<SubmitResult>> writes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      writes.add(leader.submit(("v" + i).getBytes(StandardCharsets.UTF_8)));
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    return writes.get(count - 1).join().index();
  }

  private Timer timer(String name, NodeId node) {
    return registry.get(name).tags("node", node.value(), "cluster", "test").timer();
  }

  private DistributionSummary summary(String name, NodeId node) {
    return registry.get(name).tags("node", node.value()).summary();
  }

  private double counter(String name, NodeId node, String... tags) {
    return registry.get(name).tags("node", node.value()).tags(tags).counter().count();
  }

  private double gauge(String name, NodeId node, String... tags) {
    return registry.get(name).tags("node", node.value()).tags(tags).gauge().value();
  }

  private static double percentile(Timer timer, double p) {
    for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
      if (v.percentile() == p) {
        return v.value(TimeUnit.NANOSECONDS);
      }
    }
    throw new AssertionError("no percentile " + p + " on " + timer.getId());
  }

  @Test
  void writesShowAsLatenciesForcesEntriesPerForceRequestsAndLag() throws Exception {
    startCluster();
    NodeId leaderId = awaitLeader();
    RaftNode leader = nodes.get(leaderId);
    long last = write(leader, WRITES);

    Timer submitCommit = timer("floe.submit.commit.latency", leaderId);
    assertThat(submitCommit.count()).isEqualTo(WRITES);
    assertThat(submitCommit.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(percentile(submitCommit, 0.99)).isPositive()
        .isGreaterThanOrEqualTo(percentile(submitCommit, 0.5));
    assertThat(timer("floe.commit.apply.latency", leaderId).count()).isPositive();

    // The file store's forces: one latency per force, and (group commit) the entries of all the
    // forces together cover every index the leader wrote.
    Timer force = timer("floe.log.force.latency", leaderId);
    double forces = counter("floe.log.forces", leaderId);
    assertThat(forces).isPositive();
    assertThat((double) force.count()).isEqualTo(forces);
    assertThat(force.max(TimeUnit.NANOSECONDS)).isPositive();
    DistributionSummary entriesPerForce = summary("floe.log.force.entries", leaderId);
    assertThat(entriesPerForce.count()).isEqualTo(force.count());
    assertThat(entriesPerForce.totalAmount()).isGreaterThanOrEqualTo(last);
    assertThat(entriesPerForce.getId().getBaseUnit()).isEqualTo("entries");
    assertThat(summary("floe.log.force.bytes", leaderId).totalAmount()).isPositive();
    assertThat(summary("floe.log.sync.entries", leaderId).totalAmount())
        .isGreaterThanOrEqualTo(WRITES);
    assertThat(timer("floe.log.sync.latency", leaderId).count()).isPositive();

    // Requests are counted by a callback of their future, which may run after the caller's.
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        counter("floe.requests", leaderId, "kind", "submit", "outcome", "ok")).isEqualTo(WRITES));
    NodeId follower = ids.stream().filter(id -> !id.equals(leaderId)).findFirst().orElseThrow();
    // A follower forwards a submit to the leader: it counts the request, and its outcome, too.
    nodes.get(follower).submit(new byte[1]).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        counter("floe.requests", follower, "kind", "submit", "outcome", "ok")).isEqualTo(1));
    assertThat(counter("floe.requests", leaderId, "kind", "submit", "outcome", "overloaded"))
        .isZero();

    double won = ids.stream().mapToDouble(id -> counter("floe.elections.won", id)).sum();
    assertThat(won).as("one election won in all").isEqualTo(1);
    // Gauges are read through the registry, after a collection: they hold their suppliers.
    System.gc();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(gauge("floe.role", leaderId)).isEqualTo(2);
      assertThat(gauge("floe.leader", leaderId)).isEqualTo(1);
      assertThat(gauge("floe.commit.index", leaderId)).isGreaterThanOrEqualTo(last);
      assertThat(gauge("floe.applied.index", leaderId)).isGreaterThanOrEqualTo(last);
      assertThat(gauge("floe.apply.backlog", leaderId)).isZero();
      for (NodeId f : ids) {
        if (!f.equals(leaderId)) {
          assertThat(gauge("floe.replication.lag.entries", leaderId, "peer", f.value())).isZero();
          assertThat(gauge("floe.replication.silence", leaderId, "peer", f.value()))
              .isBetween(0.0, (double) WAIT.toMillis());
        }
      }
    });
    assertThat(registry.find("floe.replication.lag.entries").tags("node", leaderId.value())
        .gauges()).hasSize(2);
  }

  @Test
  void aTransferIsACampaignWonAndASnapshotHasItsSizeAndDuration()
      throws Exception {
    startCluster();
    NodeId first = awaitLeader();
    write(nodes.get(first), 10);
    NodeId target = ids.stream().filter(id -> !id.equals(first)).findFirst().orElseThrow();
    assertThat(nodes.get(first).transferLeadership(target).get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo(target);
    long last = write(nodes.get(target), 10);

    // The transfer is a campaign the target started and won, in a later term.
    assertThat(counter("floe.elections.won", target)).isEqualTo(1);
    assertThat(counter("floe.elections.campaigns", target)).isGreaterThanOrEqualTo(1);
    double won = ids.stream().mapToDouble(id -> counter("floe.elections.won", id)).sum();
    assertThat(won).as("the first election and the transfer").isEqualTo(2);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(gauge("floe.role", target)).isEqualTo(2);
      assertThat(gauge("floe.role", first)).isZero();
      assertThat(gauge("floe.term", first)).isEqualTo(gauge("floe.term", target));
    });

    long index = nodes.get(target).takeSnapshot().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(index).isGreaterThanOrEqualTo(last);
    Timer took = registry.get("floe.snapshot.take.duration")
        .tags("node", target.value(), "kind", "taken").timer();
    assertThat(took.count()).isEqualTo(1);
    assertThat(took.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    DistributionSummary size = registry.get("floe.snapshot.size")
        .tags("node", target.value(), "kind", "taken").summary();
    assertThat(size.count()).isEqualTo(1);
    assertThat(size.totalAmount()).isGreaterThanOrEqualTo(Long.BYTES);
    assertThat(size.getId().getBaseUnit()).isEqualTo("bytes");
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(gauge("floe.snapshot.index", target)).isEqualTo(index));
  }

  @Test
  void aLostFollowerShowsAsDroppedMessagesAndAStoppedNodeTakesItsGaugesAway() throws Exception {
    startCluster();
    NodeId leaderId = awaitLeader();
    RaftNode leader = nodes.get(leaderId);
    write(leader, 5);
    String l = leaderId.value();
    assertThat(registry.find("floe.replication.lag.entries").tags("node", l).gauges()).hasSize(2);
    assertThat(registry.find("floe.transport.queued.bytes").tags("node", l).gauges()).hasSize(2);

    // A follower stops: the leader's heartbeats to it are dropped while it cannot be reached,
    // and the entries written meanwhile are what it lacks.
    NodeId lost = ids.stream().filter(id -> !id.equals(leaderId)).findFirst().orElseThrow();
    nodes.remove(lost).close();
    long last = write(leader, 5);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(registry.get("floe.transport.dropped")
          .tags("node", l, "reason", "unreachable").counter().count()).isPositive();
      assertThat(gauge("floe.replication.lag.entries", leaderId, "peer", lost.value()))
          .isGreaterThanOrEqualTo(5);
      assertThat(gauge("floe.replication.lag.entries", leaderId, "peer", lost.value()))
          .isLessThanOrEqualTo(last);
    });

    leader.close();
    nodes.remove(leaderId);
    assertThat(registry.find("floe.replication.lag.entries").tags("node", l).gauges()).isEmpty();
    assertThat(registry.find("floe.replication.silence").tags("node", l).gauges()).isEmpty();
    assertThat(registry.find("floe.transport.queued.bytes").tags("node", l).gauges()).isEmpty();
    // Counters stay: what the node did is still what it did, and it goes on counting refusals.
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        counter("floe.requests", leaderId, "kind", "submit", "outcome", "ok")).isEqualTo(10));
    assertThatThrownBy(() -> leader.submit(new byte[1]).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NodeStoppedException.class);
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        counter("floe.requests", leaderId, "kind", "submit", "outcome", "stopped")).isEqualTo(1));
    Counter ok = registry.get("floe.requests").tags("node", l, "outcome", "ok", "kind", "submit")
        .counter();
    assertThat(ok.getId().getTag("cluster")).isEqualTo("test");
  }

  /**
   * What issue 18 asks of {@code floe.leader.changes}: after a transfer every node counts one,
   * the followers too, which learn the new leader within its term ({@code LEADER_DISCOVERED}).
   */
  @Test
  void aTransferCountsAsALeaderChangeOnEveryNode() throws Exception {
    startCluster();
    NodeId first = awaitLeader();
    write(nodes.get(first), 10);
    NodeId target = ids.stream().filter(id -> !id.equals(first)).findFirst().orElseThrow();
    nodes.get(first).transferLeadership(target).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    write(nodes.get(target), 10);
    await().atMost(WAIT).untilAsserted(() -> {
      for (NodeId id : ids) {
        assertThat(counter("floe.leader.changes", id)).as("leader changes on %s", id)
            .isGreaterThanOrEqualTo(1);
      }
    });
  }
}
