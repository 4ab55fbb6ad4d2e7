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

import dev.floe.raft.CommitUnknownException;
import dev.floe.raft.NotLeaderException;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.NodeId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The calls an application makes beyond submit and query, on the real RaftNode in virtual time:
 * waiting for a leader that takes writes, and a forwarded request when the leader it went to is
 * replaced.
 */
class ClientApiTest {

  private static Throwable failure(CompletableFuture<?> f) {
    assertThat(f).isCompletedExceptionally();
    try {
      f.join();
      throw new AssertionError("not failed");
    } catch (java.util.concurrent.CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void awaitLeaderCompletesOnlyOnceTheLeaderHasCommittedAnEntryOfItsTerm() {
    SimCluster cluster = SimCluster.start(3, 71);
    NodeId follower = NodeId.of("n2");
    CompletableFuture<NodeId> ready = cluster.node(follower).awaitLeader(Duration.ofSeconds(10));
    boolean sawLeaderBeforeReady = false;
    for (int i = 0; i < 20_000 && !ready.isDone(); i++) {
      cluster.runFor(1);
      sawLeaderBeforeReady |= cluster.leader().isPresent() && !ready.isDone();
    }
    assertThat(ready).isCompleted();
    NodeId leader = ready.join();
    assertThat(cluster.leader()).contains(leader);
    long term = cluster.status(leader).term();
    // The entry at the follower's commit index is of the leader's term: its no-op committed.
    List<dev.floe.raft.message.LogEntry> log = cluster.log(follower);
    long commit = cluster.status(follower).commitIndex();
    assertThat(log.stream().filter(e -> e.index() == commit).findFirst().orElseThrow().term())
        .isEqualTo(term);
    assertThat(sawLeaderBeforeReady).as("a leader is known before it takes writes").isTrue();
  }

  @Test
  void awaitLeaderFailsWithATimeoutWhenNoMajorityIsUp() {
    SimCluster cluster = SimCluster.start(3, 72);
    cluster.crash(NodeId.of("n2"));
    cluster.crash(NodeId.of("n3"));
    CompletableFuture<NodeId> ready = cluster.node(NodeId.of("n1"))
        .awaitLeader(Duration.ofMillis(800));
    cluster.runFor(2_000);
    assertThat(failure(ready)).isInstanceOf(TimeoutException.class)
        .hasMessageContaining("no leader that takes writes");
  }

  /**
   * A follower forwards a submit; the leader appends it but its answer never arrives, and the
   * leader is then replaced. The submit fails at once with an unknown outcome, when the follower
   * learns the new term, rather than after the whole request timeout.
   */
  @Test
  void aForwardedSubmitFailsAtOnceWhenTheLeaderItWentToIsReplaced() {
    SimCluster cluster = SimCluster.start(3, 73, RaftOptions.builder()
        .requestTimeout(60_000).build(), RegisterStateMachine::new);
    NodeId leader = cluster.awaitLeader(3_000);
    cluster.submitAndWait(leader, "first".getBytes(UTF_8), 3_000);
    NodeId via = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    NodeId other = cluster.ids().stream().filter(id -> !id.equals(leader) && !id.equals(via))
        .findFirst().orElseThrow();
    cluster.cut(leader, via); // the leader's answers to this follower are lost
    CompletableFuture<SubmitResult> forwarded = cluster.submit(via, "x".getBytes(UTF_8));
    cluster.runFor(50);
    assertThat(forwarded).isNotDone();
    long started = cluster.nowMillis();
    cluster.node(leader).transferLeadership(other);
    cluster.heal();
    cluster.runUntil(forwarded::isDone, 10_000);

    assertThat(failure(forwarded)).isInstanceOf(CommitUnknownException.class)
        .hasMessageContaining("was replaced before it answered");
    assertThat(cluster.nowMillis() - started).as("long before the request timeout")
        .isLessThan(10_000);
  }

  @Test
  void aForwardedReadFailsAtOnceAsNotLeaderWhenTheLeaderItWentToIsReplaced() {
    SimCluster cluster = SimCluster.start(3, 74, RaftOptions.builder()
        .requestTimeout(60_000).build(), RegisterStateMachine::new);
    NodeId leader = cluster.awaitLeader(3_000);
    cluster.submitAndWait(leader, "first".getBytes(UTF_8), 3_000);
    NodeId via = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    NodeId other = cluster.ids().stream().filter(id -> !id.equals(leader) && !id.equals(via))
        .findFirst().orElseThrow();
    cluster.cut(leader, via);
    CompletableFuture<byte[]> read = cluster.query(via, new byte[0], ReadConsistency.LINEARIZABLE);
    cluster.runFor(50);
    assertThat(read).isNotDone();
    cluster.node(leader).transferLeadership(other);
    cluster.heal();
    cluster.runUntil(read::isDone, 10_000);

    assertThat(failure(read)).isInstanceOf(NotLeaderException.class)
        .hasMessageContaining("it had no effect");
  }
}
