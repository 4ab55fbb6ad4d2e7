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

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.NotLeaderException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StateMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real RaftNodes on their production threads, over {@link InProcessNetwork} and in-memory stores. */
class ThreadedClusterTest {
  private final List<NodeId> ids = List.of(NodeId.of("a"), NodeId.of("b"), NodeId.of("c"));
  private final InProcessNetwork network = new InProcessNetwork();
  private final Map<NodeId, RaftNode> nodes = new ConcurrentHashMap<>();
  private final Map<NodeId, List<String>> applied = new ConcurrentHashMap<>();

  /** Stores the last value per node so that a linearizable read can be checked. */
  private StateMachine machine(NodeId id) {
    List<String> log = new CopyOnWriteArrayList<>();
    applied.put(id, log);
    return new StateMachine() {
      @Override
      public byte[] apply(long index, byte[] command) {
        log.add(new String(command, UTF_8));
        return ("ok " + index).getBytes(UTF_8);
      }

      @Override
      public byte[] query(byte[] query) {
        return (log.isEmpty() ? "" : log.get(log.size() - 1)).getBytes(UTF_8);
      }
    };
  }

  @AfterEach
  void stop() {
    nodes.values().forEach(RaftNode::close);
  }

  private void startAll() throws Exception {
    for (NodeId id : ids) {
      RaftNode n = RaftNode.builder().id(id).clusterId(dev.floe.raft.cluster.ClusterId.of("test")).members(ids).stateMachine(machine(id))
          .transport(network.transport(id)).logStore(new InMemoryLogStore()).build();
      n.start();
      nodes.put(id, n);
    }
  }

  private NodeId awaitLeader() {
    return await().atMost(Duration.ofSeconds(10)).until(
        () -> nodes.values().stream().map(RaftNode::status).filter(RaftStatus::isLeader)
            .map(RaftStatus::id).findFirst().orElse(null),
        id -> id != null);
  }

  /** Submits, retrying refusals while the cluster settles, as a client would. */
  private SubmitResult submit(NodeId via, String value) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return nodes.get(via).submit(value.getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof NotLeaderException) || System.nanoTime() > deadline) {
          throw e;
        }
        await().pollDelay(Duration.ofMillis(50)).until(() -> true);
      }
    }
  }

  @Test
  void threeNodesOnRealThreadsElectReplicateAndServeLinearizableReads() throws Exception {
    startAll();
    NodeId leader = awaitLeader();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String v = "v" + i;
      SubmitResult r = submit(ids.get(i % 3), v);
      assertThat(new String(r.result(), UTF_8)).isEqualTo("ok " + r.index());
      expected.add(v);
    }
    for (NodeId id : ids) {
      await().atMost(Duration.ofSeconds(5)).untilAsserted(
          () -> assertThat(applied.get(id)).containsExactlyElementsOf(expected));
      byte[] read = nodes.get(id).query(new byte[0], ReadConsistency.LINEARIZABLE)
          .get(5, TimeUnit.SECONDS);
      assertThat(new String(read, UTF_8)).isEqualTo("v19");
    }
    assertThat(nodes.get(leader).status().commitIndex()).isGreaterThanOrEqualTo(21);
  }

  @Test
  void aDisconnectedLeaderIsReplacedAndItsReadsFail() throws Exception {
    startAll();
    NodeId old = awaitLeader();
    submit(old, "before");
    network.disconnect(old);
    NodeId fresh = await().atMost(Duration.ofSeconds(10)).until(
        () -> ids.stream().filter(id -> !id.equals(old)).map(nodes::get).map(RaftNode::status)
            .filter(RaftStatus::isLeader).map(RaftStatus::id).findFirst().orElse(null),
        id -> id != null);
    assertThat(fresh).isNotEqualTo(old);
    // The deposed leader cannot confirm its leadership: a linearizable read must not succeed.
    var read = nodes.get(old).query(new byte[0], ReadConsistency.LINEARIZABLE);
    assertThat(read).failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class);
    network.reconnect(old);
    submit(fresh, "after");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(
        () -> assertThat(applied.get(old)).containsExactly("before", "after"));
  }
}
