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
import dev.floe.raft.FloeException;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Membership changes on a simulated cluster running the real driver: adding and removing voters
 * one at a time, learners, a leader removing itself, a removed node that cannot disturb the
 * cluster, removing and re-adding a node, and configurations across restarts, snapshots and
 * truncation. Safety is checked after every event.
 */
class MembershipTest {
  private static final NodeId N4 = NodeId.of("n4");
  private static final NodeId N5 = NodeId.of("n5");
  private SimCluster cluster;

  @AfterEach
  void noSafetyViolations() {
    if (cluster != null) {
      assertThat(cluster.violations()).isEmpty();
    }
  }

  private <T> T await(CompletableFuture<T> f) {
    assertThat(cluster.runUntil(f::isDone, 10_000)).as("completed").isTrue();
    return f.join();
  }

  private void write(String value) {
    NodeId leader = cluster.awaitLeader(3_000);
    await(cluster.submit(leader, value.getBytes(UTF_8)));
  }

  private String localValue(NodeId id) {
    CompletableFuture<byte[]> v = cluster.node(id).query(new byte[0], ReadConsistency.LOCAL);
    cluster.runUntil(v::isDone, 1_000);
    return new String(v.join(), UTF_8);
  }

  private boolean caughtUp(NodeId id, NodeId leader) {
    return cluster.status(id).appliedIndex() >= cluster.status(leader).commitIndex();
  }

  @Test
  void aClusterGrowsFromThreeToFiveVotersAndShrinksBackWhileItCommits() {
    cluster = SimCluster.start(3, 41);
    NodeId leader = cluster.awaitLeader(2_000);
    write("before");
    cluster.addNode(N4);
    cluster.addNode(N5);
    Configuration four = await(cluster.node(leader).addVoter(N4, ""));
    assertThat(four.voters()).containsExactly(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"), N4);
    write("four");
    Configuration five = await(cluster.node(leader).addVoter(N5, ""));
    assertThat(five.voters()).hasSize(5);
    assertThat(five.learners()).isEmpty();
    write("five");
    cluster.runUntil(() -> caughtUp(N4, leader) && caughtUp(N5, leader), 1_000);
    assertThat(localValue(N4)).isEqualTo("five");
    assertThat(localValue(N5)).isEqualTo("five");
    // Five voters: two may be down and the cluster still commits.
    cluster.crash(NodeId.of("n2"));
    cluster.crash(NodeId.of("n3"));
    NodeId current = cluster.awaitLeader(3_000);
    write("two down");
    cluster.restart(NodeId.of("n2"));
    cluster.restart(NodeId.of("n3"));
    current = cluster.awaitLeader(3_000);
    await(cluster.node(current).removeMember(N4));
    current = cluster.awaitLeader(3_000);
    Configuration back = await(cluster.node(current).removeMember(N5));
    assertThat(back.voters()).containsExactly(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    write("three again");
    for (NodeId id : List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"))) {
      NodeId l = cluster.awaitLeader(1_000);
      cluster.runUntil(() -> caughtUp(id, l), 1_000);
      assertThat(localValue(id)).isEqualTo("three again");
      assertThat(cluster.configuration(id)).isEqualTo(back);
    }
  }

  @Test
  void aLearnerThatIsDownCostsNoQuorumAndAPromotionWaitsForItToCatchUp() {
    cluster = SimCluster.start(3, 42, SimCluster.defaultOptions().toBuilder().learnerCatchUp(0, 2_000).build(),
        RegisterStateMachine::new);
    NodeId leader = cluster.awaitLeader(2_000);
    cluster.addNode(N4);
    Configuration withLearner = await(cluster.node(leader).addLearner(N4, ""));
    assertThat(withLearner.learners()).containsExactly(N4);
    assertThat(withLearner.voters()).hasSize(3);
    cluster.crash(N4);
    cluster.crash(cluster.ids().stream().filter(id -> !id.equals(leader) && !id.equals(N4))
        .findFirst().orElseThrow());
    // Two of three voters are up; the learner being down does not matter.
    write("learner down");
    // A promotion of a learner that does not catch up is refused, and it stays a learner.
    CompletableFuture<Configuration> promotion = cluster.node(leader).promote(N4);
    cluster.runFor(1_000);
    assertThat(promotion).as("waits while the learner is behind").isNotDone();
    cluster.runUntil(promotion::isDone, 3_000);
    assertThat(promotion).isCompletedExceptionally();
    assertThat(cluster.configuration(leader).learners()).containsExactly(N4);
    // Once it is back and caught up, the promotion goes through.
    cluster.restart(N4);
    Configuration promoted = await(cluster.node(leader).promote(N4));
    assertThat(promoted.voters()).contains(N4);
    assertThat(localValue(N4)).isEqualTo("learner down");
  }

  @Test
  void aLeaderThatRemovesItselfLeadsUntilTheChangeCommitsThenStepsDownForGood() {
    cluster = SimCluster.start(3, 43);
    NodeId leader = cluster.awaitLeader(2_000);
    write("one");
    Configuration without = await(cluster.node(leader).removeMember(leader));
    assertThat(without.voters()).doesNotContain(leader).hasSize(2);
    NodeId next = cluster.awaitLeader(2_000);
    assertThat(next).isNotEqualTo(leader);
    write("two");
    cluster.runFor(3_000); // many election timeouts: the removed node never campaigns
    assertThat(cluster.status(leader).role()).isEqualTo(Role.FOLLOWER);
    assertThat(cluster.leader()).contains(next);
  }

  @Test
  void aRemovedNodeThatMissedItsRemovalCannotDisturbTheCluster() {
    // Without pre-vote and check-quorum nothing but the membership rule stops the removed node:
    // it raises its term on every campaign, and still changes nothing.
    cluster = SimCluster.start(3, 44, SimCluster.defaultOptions().toBuilder().preVote(false).checkQuorum(false).build(),
        RegisterStateMachine::new);
    NodeId leader = cluster.awaitLeader(2_000);
    NodeId removed = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst()
        .orElseThrow();
    cluster.isolate(removed);
    await(cluster.node(leader).removeMember(removed));
    long term = cluster.status(leader).term();
    cluster.heal();
    cluster.runFor(5_000);
    assertThat(cluster.status(removed).term()).as("it campaigned").isGreaterThan(term);
    assertThat(cluster.leader()).contains(leader);
    assertThat(cluster.status(leader).term()).isEqualTo(term);
    write("undisturbed");
  }

  @Test
  void aNodeRemovedWipedAndAddedAgainStartsAFreshReplicationSession() {
    cluster = SimCluster.start(3, 45, SimCluster.defaultOptions(), RegisterStateMachine::new,
        new SnapshotOptions(20, 5, 16));
    NodeId leader = cluster.awaitLeader(2_000);
    NodeId node = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    for (int i = 0; i < 30; i++) {
      write("a" + i);
    }
    await(cluster.node(leader).removeMember(node));
    cluster.wipeToJoin(node);
    cluster.restart(node);
    for (int i = 0; i < 30; i++) {
      write("b" + i);
    }
    Configuration again = await(cluster.node(leader).addVoter(node, ""));
    assertThat(again.voters()).contains(node);
    write("after");
    cluster.runUntil(() -> caughtUp(node, leader), 2_000);
    assertThat(localValue(node)).isEqualTo("after");
    assertThat(cluster.applied(node)).as("caught up by snapshot").hasSizeLessThan(60);
  }

  @Test
  void theConfigurationSurvivesRestartsAndSnapshotsAndAJoiningNodeLearnsItFromASnapshot() {
    cluster = SimCluster.start(3, 46, SimCluster.defaultOptions(), RegisterStateMachine::new,
        new SnapshotOptions(10, 2, 16));
    NodeId leader = cluster.awaitLeader(2_000);
    cluster.addNode(N4);
    Configuration four = await(cluster.node(leader).addVoter(N4, ""));
    for (int i = 0; i < 40; i++) {
      write("v" + i);
    }
    // Every node compacted past the configuration entry, then all restart.
    for (NodeId id : cluster.ids()) {
      assertThat(cluster.log(id).get(0).index()).isGreaterThan(10);
      cluster.crash(id);
    }
    for (NodeId id : cluster.ids()) {
      cluster.restart(id);
    }
    NodeId current = cluster.awaitLeader(3_000);
    for (NodeId id : cluster.ids()) {
      assertThat(cluster.configuration(id)).isEqualTo(four);
    }
    // A newcomer gets the configuration with the snapshot.
    cluster.addNode(N5);
    Configuration five = await(cluster.node(current).addVoter(N5, ""));
    write("last");
    cluster.runUntil(() -> caughtUp(N5, current), 2_000);
    assertThat(cluster.configuration(N5)).isEqualTo(five);
    assertThat(localValue(N5)).isEqualTo("last");
  }

  @Test
  void aConfigurationThatNeverCommitsIsRolledBackWhenItsEntryIsTruncated() {
    cluster = SimCluster.start(3, 47);
    NodeId leader = cluster.awaitLeader(2_000);
    write("committed");
    Configuration original = cluster.configuration(leader);
    cluster.addNode(N4);
    cluster.isolate(leader);
    CompletableFuture<Configuration> change = cluster.node(leader).addLearner(N4, "");
    cluster.runFor(50);
    assertThat(cluster.configuration(leader).learners())
        .as("in effect on the leader as soon as appended").containsExactly(N4);
    NodeId next = cluster.awaitLeaderOtherThan(leader, 3_000);
    write("new leader");
    cluster.heal();
    cluster.runUntil(() -> cluster.status(leader).leader().orElse(leader).equals(next), 2_000);
    cluster.runUntil(() -> caughtUp(leader, next), 2_000);
    assertThat(cluster.configuration(leader)).isEqualTo(original);
    cluster.runUntil(change::isDone, 6_000);
    assertThat(change).isCompletedExceptionally();
    assertThat(catchCause(change)).isInstanceOf(CommitUnknownException.class);
  }

  @Test
  void impossibleChangesAreRefusedAndRepeatedOnesChangeNothing() {
    cluster = SimCluster.start(1, 48);
    NodeId only = cluster.awaitLeader(2_000);
    CompletableFuture<Configuration> last = cluster.node(only).removeMember(only);
    cluster.runUntil(last::isDone, 1_000);
    assertThat(catchCause(last)).isInstanceOf(FloeException.class)
        .hasMessageContaining("last voter");
    Configuration same = await(cluster.node(only).addVoter(only, ""));
    assertThat(same.voters()).containsExactly(only);
    CompletableFuture<Configuration> notLearner = cluster.node(only).promote(N4);
    cluster.runUntil(notLearner::isDone, 1_000);
    assertThat(catchCause(notLearner)).hasMessageContaining("not a learner");
  }

  private static Throwable catchCause(CompletableFuture<?> f) {
    try {
      f.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
