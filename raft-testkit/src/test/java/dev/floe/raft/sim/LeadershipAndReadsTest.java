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

import dev.floe.raft.RaftStatus;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SessionRequest;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.NodeId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pre-vote, check-quorum, leadership transfer, reads and client sessions on a simulated cluster
 * running the real driver. Safety is checked after every event.
 */
class LeadershipAndReadsTest {
  private SimCluster cluster;

  @AfterEach
  void noSafetyViolations() {
    if (cluster != null) {
      assertThat(cluster.violations()).isEmpty();
    }
  }

  private NodeId someFollower(NodeId leader) {
    return cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  @Test
  void aPartitionedFollowerReturnsWithoutRaisingTheTermOrForcingAnElection() {
    cluster = SimCluster.start(3, 11);
    NodeId leader = cluster.awaitLeader(2_000);
    long term = cluster.status(leader).term();
    NodeId cutOff = someFollower(leader);
    cluster.isolate(cutOff);
    cluster.runFor(5_000); // many election timeouts: it pre-votes again and again, and loses
    assertThat(cluster.status(cutOff).term()).isEqualTo(term);
    cluster.heal();
    cluster.runFor(1_000);
    assertThat(cluster.leader()).contains(leader);
    assertThat(cluster.status(leader).term()).isEqualTo(term);
  }

  @Test
  void aLeaderCutOffFromBothFollowersStepsDownWithinTwoElectionTimeouts() {
    cluster = SimCluster.start(3, 12);
    NodeId leader = cluster.awaitLeader(2_000);
    cluster.isolate(leader);
    boolean steppedDown = cluster.runUntil(() -> !cluster.status(leader).isLeader(), 600);
    assertThat(steppedDown).as("stepped down within 2 x 300 ms").isTrue();
  }

  @Test
  void aTransferToALaggingFollowerCatchesItUpFirstAndThenItLeads() {
    cluster = SimCluster.start(3, 13);
    NodeId leader = cluster.awaitLeader(2_000);
    NodeId target = someFollower(leader);
    cluster.cut(leader, target);
    for (int i = 0; i < 50; i++) {
      cluster.submit(leader, ("x" + i).getBytes(UTF_8));
    }
    cluster.runFor(300);
    assertThat(cluster.status(target).lastIndex()).isLessThan(cluster.status(leader).lastIndex());
    cluster.heal();
    CompletableFuture<NodeId> transfer = cluster.node(leader).transferLeadership(target);
    cluster.runUntil(transfer::isDone, 2_000);
    assertThat(transfer).isCompletedWithValue(target);
    RaftStatus s = cluster.status(target);
    assertThat(s.isLeader()).isTrue();
    assertThat(cluster.applied(target)).hasSize(50);
  }

  @Test
  void aTransferWithoutATargetPicksTheMostUpToDateFollower() {
    cluster = SimCluster.start(5, 14);
    NodeId leader = cluster.awaitLeader(2_000);
    List<NodeId> followers = cluster.ids().stream().filter(id -> !id.equals(leader)).toList();
    NodeId best = followers.get(2);
    for (NodeId f : followers) {
      if (!f.equals(best)) {
        cluster.cut(leader, f);
      }
    }
    cluster.submit(leader, "only-best-has-it".getBytes(UTF_8));
    cluster.runFor(100);
    cluster.heal();
    CompletableFuture<NodeId> transfer = cluster.node(leader).transferLeadership(null);
    cluster.runUntil(transfer::isDone, 2_000);
    assertThat(transfer).isCompletedWithValue(best);
  }

  @Test
  void aRetriedSessionSubmitIsAppliedOnceAndAnsweredWithTheFirstResult() {
    cluster = SimCluster.start(3, 15);
    NodeId leader = cluster.awaitLeader(2_000);
    NodeId follower = someFollower(leader);
    cluster.runUntil(() -> cluster.status(follower).leader().isPresent(), 1_000);
    SessionRequest req = new SessionRequest(42, 1);
    CompletableFuture<SubmitResult> first = cluster.node(leader).submit("once".getBytes(UTF_8), req);
    CompletableFuture<SubmitResult> retry = cluster.node(follower).submit("once".getBytes(UTF_8), req);
    cluster.runUntil(() -> first.isDone() && retry.isDone(), 2_000);
    assertThat(first.join().index()).isEqualTo(retry.join().index());
    cluster.runFor(200);
    for (NodeId id : cluster.ids()) {
      assertThat(cluster.applied(id)).as("applied on %s", id).hasSize(1);
    }
    // The session survives a restart: it is rebuilt from the log.
    cluster.crash(follower);
    cluster.restart(follower);
    cluster.runFor(1_000);
    CompletableFuture<SubmitResult> late = cluster.node(leader).submit("once".getBytes(UTF_8), req);
    cluster.runUntil(late::isDone, 2_000);
    assertThat(late.join().index()).isEqualTo(first.join().index());
    cluster.runFor(500);
    assertThat(cluster.applied(follower)).hasSize(1);
  }

  @Test
  void linearizableAndLeaseReadsSeeEveryAcknowledgedWriteOnAnyNode() {
    cluster = SimCluster.start(3, 16);
    NodeId leader = cluster.awaitLeader(2_000);
    cluster.runFor(200); // every follower learns the leader
    cluster.submitAndWait(leader, "v1".getBytes(UTF_8), 1_000).join();
    for (NodeId id : cluster.ids()) {
      for (ReadConsistency c : List.of(ReadConsistency.LINEARIZABLE, ReadConsistency.LEASE)) {
        CompletableFuture<byte[]> read = cluster.node(id).query(new byte[0], c);
        cluster.runUntil(read::isDone, 1_000);
        assertThat(new String(read.join(), UTF_8)).as("%s read on %s", c, id).isEqualTo("v1");
      }
    }
  }

  @Test
  void aDeposedLeaderAnswersNoLinearizableOrLeaseRead() {
    cluster = SimCluster.start(3, 17);
    NodeId leader = cluster.awaitLeader(2_000);
    cluster.submitAndWait(leader, "v1".getBytes(UTF_8), 1_000).join();
    cluster.isolate(leader);
    cluster.runFor(400); // beyond the lease: a majority may now have elected another leader
    for (ReadConsistency c : List.of(ReadConsistency.LINEARIZABLE, ReadConsistency.LEASE)) {
      CompletableFuture<byte[]> read = cluster.node(leader).query(new byte[0], c);
      cluster.runUntil(read::isDone, 6_000);
      assertThat(read).as(c.name()).isCompletedExceptionally();
    }
  }
}
