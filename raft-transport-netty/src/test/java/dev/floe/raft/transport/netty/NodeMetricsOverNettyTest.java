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

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.RaftNode;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.MetricsSink;
import dev.floe.raft.storage.file.FileLogStore;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a node reports to its metrics sink, on real files and sockets: the sink below only keeps
 * what it is given, so every figure asserted here is measured by Floe itself.
 */
class NodeMetricsOverNettyTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private final Map<NodeId, RaftNode> nodes = new ConcurrentHashMap<>();
  private final Recording sink = new Recording();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    nodes.values().forEach(RaftNode::close);
  }

  /** Keeps every meter by name and tags: counts, sums and the number of recordings. */
  static final class Recording implements MetricsSink {
    final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    final Map<String, LongAdder> sums = new ConcurrentHashMap<>();
    final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();

    static String key(String name, Map<String, String> tags) {
      return name + new java.util.TreeMap<>(tags);
    }

    private LongAdder count(String key) {
      return counts.computeIfAbsent(key, k -> new LongAdder());
    }

    private LongAdder sum(String key) {
      return sums.computeIfAbsent(key, k -> new LongAdder());
    }

    @Override
    public Counter counter(String name, String description, Map<String, String> tags) {
      String key = key(name, tags);
      count(key);
      return amount -> count(key).add(amount);
    }

    @Override
    public Timer timer(String name, String description, Map<String, String> tags) {
      String key = key(name, tags);
      count(key);
      return nanos -> {
        assertThat(nanos).as("a duration of %s", key).isNotNegative();
        count(key).increment();
        sum(key).add(nanos);
      };
    }

    @Override
    public Distribution distribution(String name, String description, String unit,
        Map<String, String> tags) {
      String key = key(name, tags);
      count(key);
      return value -> {
        count(key).increment();
        sum(key).add(value);
      };
    }

    @Override
    public AutoCloseable gauge(String name, String description, String unit,
        Map<String, String> tags, LongSupplier value) {
      String key = key(name, tags);
      gauges.put(key, value);
      return () -> gauges.remove(key);
    }

    long count(String name, String... tags) {
      LongAdder a = counts.get(key(name, tagMap(tags)));
      return a == null ? -1 : a.sum();
    }

    long sum(String name, String... tags) {
      LongAdder a = sums.get(key(name, tagMap(tags)));
      return a == null ? 0 : a.sum();
    }

    Long gauge(String name, String... tags) {
      LongSupplier g = gauges.get(key(name, tagMap(tags)));
      return g == null ? null : g.getAsLong();
    }

    private static Map<String, String> tagMap(String... tags) {
      Map<String, String> m = new HashMap<>();
      for (int i = 0; i < tags.length; i += 2) {
        m.put(tags[i], tags[i + 1]);
      }
      return m;
    }
  }

  @Test
  void aNodeReportsLatenciesForcesElectionsRequestsAndGauges() throws Exception {
    ClusterId cluster = ClusterId.random();
    Map<NodeId, InetSocketAddress> all = FreePorts.on127(ids);
    for (NodeId id : ids) {
      NettyTransport transport =
          new NettyTransport(Cluster.defaults(all.get(id).getPort()).peers(all).build());
      RaftNode node = RaftNode.builder().id(id).clusterId(cluster).members(ids)
          .stateMachine((index, command) -> command).transport(transport)
          .logStore(new FileLogStore(dir.resolve(id.value()))).metrics(sink).build();
      node.start();
      nodes.put(id, node);
    }
    NodeId leaderId = nodes.get(ids.get(0)).awaitLeader(WAIT).get(WAIT.toSeconds(),
        TimeUnit.SECONDS);
    RaftNode leader = nodes.get(leaderId);
    String l = leaderId.value();

    List<CompletableFuture<SubmitResult>> writes = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      writes.add(leader.submit(("v" + i).getBytes(UTF_8)));
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    long last = writes.get(49).join().index();

    // Counted by a callback of the submit's future, which may run after the caller's.
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        sink.count("floe.requests", "node", l, "kind", "submit", "outcome", "ok")).isEqualTo(50));
    assertThat(sink.count("floe.submit.commit.latency", "node", l)).isEqualTo(50);
    assertThat(sink.sum("floe.submit.commit.latency", "node", l)).isPositive();
    assertThat(sink.count("floe.commit.apply.latency", "node", l)).isPositive();
    // Every entry the leader wrote was made durable by a force of its log (group commit: fewer
    // forces than entries is allowed, more entries than forces is the point).
    long forces = sink.count("floe.log.forces", "node", l);
    assertThat(forces).isPositive();
    assertThat(sink.sum("floe.log.force.entries", "node", l)).isGreaterThanOrEqualTo(last);
    assertThat(sink.count("floe.log.force.latency", "node", l)).isEqualTo(forces);
    assertThat(sink.sum("floe.log.sync.entries", "node", l)).isGreaterThanOrEqualTo(50);
    long won = ids.stream().mapToLong(id -> sink.count("floe.elections.won", "node", id.value()))
        .sum();
    assertThat(won).as("one election won in all").isEqualTo(1);

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(sink.gauge("floe.commit.index", "node", l)).isGreaterThanOrEqualTo(last);
      assertThat(sink.gauge("floe.applied.index", "node", l)).isGreaterThanOrEqualTo(last);
      assertThat(sink.gauge("floe.role", "node", l)).isEqualTo(2L);
      for (NodeId follower : ids) {
        if (!follower.equals(leaderId)) {
          assertThat(sink.gauge("floe.replication.lag.entries", "node", l, "peer",
              follower.value())).isZero();
          assertThat(sink.gauge("floe.replication.silence", "node", l, "peer",
              follower.value())).isNotNull().isLessThan(WAIT.toMillis());
          // The transport, bound by the node: its queue to each peer.
          assertThat(sink.gauge("floe.transport.queued.bytes", "node", l, "peer",
              follower.value())).isNotNull().isNotNegative();
        }
      }
    });
  }
}
