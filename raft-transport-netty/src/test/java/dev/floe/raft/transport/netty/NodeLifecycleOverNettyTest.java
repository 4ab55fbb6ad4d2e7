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

import dev.floe.raft.NodeEvent;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RetryingClient;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.storage.file.FileLogStore;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's life seen by the application, on real files and sockets: waiting for a leader that
 * takes writes, a leader that stops handing its leadership over, and the retrying client riding
 * through it without applying anything twice.
 */
class NodeLifecycleOverNettyTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private final Map<NodeId, RaftNode> nodes = new ConcurrentHashMap<>();
  private final Map<NodeId, List<String>> applied = new ConcurrentHashMap<>();
  private final List<NodeEvent> events = new CopyOnWriteArrayList<>();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    nodes.values().forEach(RaftNode::close);
  }

  private StateMachine recording(NodeId id) {
    List<String> log = new CopyOnWriteArrayList<>();
    applied.put(id, log);
    return (index, command) -> {
      log.add(new String(command, UTF_8));
      return new byte[0];
    };
  }

  private void startCluster() throws Exception {
    ClusterId cluster = ClusterId.random();
    Map<NodeId, InetSocketAddress> all = FreePorts.on127(ids);
    for (NodeId id : ids) {
      NettyTransport transport =
          new NettyTransport(Cluster.defaults(all.get(id).getPort()).peers(all).build());
      RaftNode node = RaftNode.builder().id(id).clusterId(cluster).members(ids)
          .stateMachine(recording(id)).transport(transport)
          .logStore(new FileLogStore(dir.resolve(id.value()))).listener(events::add).build();
      node.start();
      nodes.put(id, node);
    }
  }

  private RaftNode leader() throws Exception {
    NodeId id = nodes.get(ids.get(0)).awaitLeader(WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    return nodes.get(id);
  }

  @Test
  void everyNodeLearnsOfALeaderThatTakesWritesAndAWriteThroughItNeedsNoRetry() throws Exception {
    startCluster();
    for (NodeId id : ids) {
      NodeId leader = nodes.get(id).awaitLeader(WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(nodes.get(leader).status().role()).isEqualTo(Role.LEADER);
      SubmitResult r = nodes.get(id).submit(("via-" + id).getBytes(UTF_8))
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.index()).isPositive();
    }
  }

  @Test
  void aLeaderThatStopsHandsItsLeadershipToAFollower() throws Exception {
    startCluster();
    RaftNode old = leader();
    old.submit("before".getBytes(UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    long term = old.status().term();
    int eventsBefore = events.size();

    old.close();
    nodes.remove(old.id());

    // The successor campaigns because it was told to, not because its election timer ran out.
    List<NodeEvent> after = events.subList(eventsBefore, events.size());
    await().atMost(WAIT).until(() -> events.subList(eventsBefore, events.size()).stream()
        .anyMatch(e -> e instanceof NodeEvent.RoleChanged r && r.role() == Role.LEADER));
    List<NodeEvent.RoleChanged> campaigns = events.subList(eventsBefore, events.size()).stream()
        .filter(e -> e instanceof NodeEvent.RoleChanged r && r.role() == Role.CANDIDATE)
        .map(e -> (NodeEvent.RoleChanged) e).toList();
    assertThat(campaigns).as("campaigns after the close: %s", after).isNotEmpty()
        .allMatch(c -> c.reason() == NodeEvent.Reason.LEADERSHIP_TRANSFER && c.term() == term + 1);
  }

  @Test
  void theRetryingClientAppliesEveryCommandOnceWhileTheLeaderStops() throws Exception {
    startCluster();
    RaftNode leader = leader();
    RaftNode via = nodes.values().stream().filter(n -> n != leader).findFirst().orElseThrow();
    RetryingClient client = RetryingClient.builder().nodes(List.of(via)).timeout(WAIT).build();
    List<CompletableFuture<SubmitResult>> writes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      writes.add(client.submit(("v" + i).getBytes(UTF_8)));
      if (i == 100) {
        leader.close(); // while about 100 writes may still be in flight
        nodes.remove(leader.id());
      }
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    long last = writes.stream().mapToLong(f -> f.join().index()).max().orElseThrow();
    await().atMost(WAIT).until(() -> via.status().appliedIndex() >= last);
    Map<String, Long> copies = applied.get(via.id()).stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    for (int i = 0; i < 200; i++) {
      assertThat(copies.get("v" + i)).as("applications of v%d", i).isEqualTo(1L);
    }
  }
}
