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

import dev.floe.raft.NotLeaderException;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.LogEntry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The teaching lab's scenarios, on a simulated three-node cluster running the real driver and core.
 * Every run is deterministic (fixed seed), and the checker's safety properties must hold throughout.
 */
class LabScenariosTest {
  private SimCluster cluster;

  @AfterEach
  void noSafetyViolations() {
    if (cluster != null) {
      assertThat(cluster.violations()).isEmpty();
    }
  }

  private static byte[] value(String s) {
    return s.getBytes(UTF_8);
  }

  private static List<String> strings(List<byte[]> values) {
    return values.stream().map(b -> new String(b, UTF_8)).toList();
  }

  /** Submits like the lab's client: a refusal (no leader known yet) is retried, a few times. */
  private SubmitResult submit(NodeId via, String v) {
    CompletableFuture<SubmitResult> f = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      f = cluster.submitAndWait(via, value(v), 3_000);
      if (!(f.isCompletedExceptionally() && causeOf(f) instanceof NotLeaderException)) {
        break;
      }
      cluster.runFor(100);
    }
    assertThat(f).isCompleted();
    return f.join();
  }

  private static Throwable causeOf(CompletableFuture<?> f) {
    try {
      f.join();
      return null;
    } catch (java.util.concurrent.CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void aLeaderIsElectedAndValuesSubmittedToAnyNodeReachEveryStateMachineInOneOrder() {
    cluster = SimCluster.start(3, 1);
    cluster.awaitLeader(2_000);
    List<NodeId> ids = cluster.ids();
    for (int i = 1; i <= 9; i++) {
      SubmitResult r = submit(ids.get(i % 3), "v" + i);
      // The register answers with the value the command replaced, then a digest of its state.
      assertThat(new String(r.result(), UTF_8)).startsWith(i == 1 ? "#" : "v" + (i - 1) + "#");
    }
    cluster.runFor(500);
    List<String> expected = List.of("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
    for (NodeId id : ids) {
      assertThat(strings(cluster.applied(id))).as("values applied on %s", id).isEqualTo(expected);
    }
  }

  @Test
  void whenTheLeaderIsStoppedTheMostUpToDateFollowerTakesOver() {
    cluster = SimCluster.start(3, 2);
    NodeId oldLeader = cluster.awaitLeader(2_000);
    List<NodeId> followers = cluster.ids().stream().filter(id -> !id.equals(oldLeader)).toList();
    NodeId behind = followers.get(0);
    NodeId ahead = followers.get(1);
    submit(oldLeader, "a");
    cluster.runFor(200);
    // "behind" stops hearing the leader; the last value reaches only "ahead".
    cluster.cut(oldLeader, behind);
    submit(oldLeader, "b");
    cluster.crash(oldLeader);
    cluster.heal();
    NodeId newLeader = cluster.awaitLeader(3_000);
    assertThat(newLeader).isEqualTo(ahead);
    submit(newLeader, "c");
    cluster.runFor(500);
    assertThat(strings(cluster.applied(behind))).containsExactly("a", "b", "c");
  }

  @Test
  void aFollowerOneEntryShortIsRepairedByTheNewLeaderByBacktracking() {
    cluster = SimCluster.start(3, 3);
    NodeId leader = cluster.awaitLeader(2_000);
    List<NodeId> followers = cluster.ids().stream().filter(id -> !id.equals(leader)).toList();
    NodeId shortOne = followers.get(0);
    for (int i = 1; i <= 5; i++) {
      submit(leader, "x" + i);
    }
    cluster.cut(leader, shortOne);
    submit(leader, "x6");
    long shortLast = cluster.status(shortOne).lastIndex();
    assertThat(shortLast).isLessThan(cluster.status(leader).lastIndex());
    cluster.crash(leader);
    cluster.heal();
    NodeId newLeader = cluster.awaitLeader(3_000);
    assertThat(newLeader).isNotEqualTo(shortOne);
    submit(newLeader, "x7");
    cluster.runFor(500);
    List<LogEntry> repaired = cluster.log(shortOne);
    assertThat(repaired).isEqualTo(cluster.log(newLeader));
    assertThat(strings(cluster.applied(shortOne)))
        .containsExactly("x1", "x2", "x3", "x4", "x5", "x6", "x7");
  }

  @Test
  void aNodeThatWasDownWhileManyEntriesCommittedRejoinsAndCatchesUp() {
    cluster = SimCluster.start(3, 4);
    NodeId leader = cluster.awaitLeader(2_000);
    NodeId down = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    cluster.crash(down);
    for (int i = 1; i <= 300; i++) {
      cluster.submit(leader, value("w" + i));
    }
    cluster.runFor(2_000);
    assertThat(cluster.status(leader).commitIndex()).isGreaterThanOrEqualTo(301);
    cluster.restart(down);
    assertThat(cluster.runUntil(
        () -> cluster.status(down).appliedIndex() == cluster.status(leader).commitIndex(), 5_000))
        .isTrue();
    assertThat(cluster.applied(down)).hasSize(300);
    assertThat(cluster.log(down)).isEqualTo(cluster.log(leader));
  }

  @Test
  void aNodeRestartedInTheSameTermDoesNotVoteTwice() {
    cluster = SimCluster.start(3, 5, SimCluster.defaultOptions(), () -> (i, c) -> c);
    NodeId leader = cluster.awaitLeader(2_000);
    long term = cluster.status(leader).term();
    for (NodeId id : cluster.ids()) {
      if (!id.equals(leader)) {
        cluster.crash(id);
        cluster.restart(id);
      }
    }
    cluster.runFor(1_000);
    // The checker fails the test if two leaders ever share a term.
    assertThat(cluster.status(cluster.leader().orElseThrow()).term()).isGreaterThanOrEqualTo(term);
  }
}
