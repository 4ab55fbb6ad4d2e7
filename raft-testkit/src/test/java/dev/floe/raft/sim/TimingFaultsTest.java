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

import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.internal.core.CoreConfig;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The timing faults at the edges, scripted: process pauses, clocks at other rates, late timers and
 * messages held for seconds. Safety is checked after every event.
 */
class TimingFaultsTest {
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

  private String localValue(NodeId id) {
    CompletableFuture<byte[]> v = cluster.query(id, new byte[0], ReadConsistency.LOCAL);
    cluster.runUntil(v::isDone, 1_000);
    return new String(v.join(), UTF_8);
  }

  @Test
  void aPausedFollowerAppliesNothingUntilItResumesThenWorksOffWhatArrivedMeanwhile() {
    cluster = SimCluster.start(3, 41);
    NodeId leader = cluster.awaitLeader(2_000);
    NodeId paused = someFollower(leader);
    cluster.submitAndWait(leader, "v0".getBytes(UTF_8), 1_000).join();
    cluster.runFor(100);
    long applied = cluster.status(paused).appliedIndex();
    cluster.pause(paused, 1_000);
    for (int i = 1; i <= 5; i++) {
      cluster.submitAndWait(leader, ("v" + i).getBytes(UTF_8), 1_000).join();
    }
    cluster.runFor(300);
    assertThat(cluster.isPaused(paused)).isTrue();
    assertThat(cluster.status(paused).appliedIndex()).isEqualTo(applied);

    long commit = cluster.status(leader).commitIndex();
    assertThat(cluster.runUntil(() -> cluster.status(paused).appliedIndex() >= commit, 1_500))
        .isTrue();
    assertThat(cluster.isPaused(paused)).isFalse();
    assertThat(localValue(paused)).isEqualTo("v5");
  }

  @Test
  void aCallToAPausedNodeIsTakenWhenItResumes() {
    cluster = SimCluster.start(3, 42);
    NodeId leader = cluster.awaitLeader(2_000);
    cluster.pause(leader, 100); // shorter than an election timeout: it leads on
    CompletableFuture<SubmitResult> submit = cluster.submit(leader, "late".getBytes(UTF_8));
    cluster.runFor(90);
    assertThat(submit).isNotDone();
    assertThat(cluster.runUntil(submit::isDone, 500)).isTrue();
    assertThat(submit).isCompleted();
  }

  /**
   * A leader paused for longer than an election timeout is replaced; a client that still takes it
   * for the leader writes through the new one, then reads through the old one. Whichever the old
   * leader runs first when it resumes (its late tick, the messages from the new leader, or the
   * client's read), the read must not miss the write: the lease is measured with the clock, which
   * ran on during the pause. Over many seeds, each of those orders comes up.
   */
  @Test
  void aResumedLeaderServesNoLeaseReadThatMissesTheNewLeadersWrite() {
    int answered = 0;
    for (long seed = 1; seed <= 40; seed++) {
      cluster = SimCluster.start(3, seed);
      NodeId leader = cluster.awaitLeader(2_000);
      cluster.submitAndWait(leader, "before".getBytes(UTF_8), 1_000).join();
      cluster.runFor(20 + seed % 40);
      cluster.pause(leader, 1_000);
      NodeId newLeader = cluster.awaitLeaderOtherThan(leader, 900);
      cluster.submitAndWait(newLeader, "after".getBytes(UTF_8), 500).join();
      CompletableFuture<byte[]> read = cluster.query(leader, new byte[0], ReadConsistency.LEASE);
      cluster.runUntil(read::isDone, 2_000);
      if (!read.isCompletedExceptionally()) {
        answered++;
        assertThat(new String(read.join(), UTF_8)).as("seed %d", seed).isEqualTo("after");
      }
      assertThat(cluster.violations()).as("seed %d", seed).isEmpty();
    }
    assertThat(answered).as("reads answered").isGreaterThan(20);
  }

  @Test
  void aFastClockFiresTimersEarlyButNotBeforeItHasMeasuredTheirDelay() {
    Scheduler scheduler = new Scheduler(new SplittableRandom(1));
    SimClock clock = new SimClock(scheduler, 5_000_000_000L);
    clock.setRate(1.05);
    long start = clock.nanos();
    long[] firedAt = new long[1];
    scheduler.schedule(clock.virtualMicros(150), () -> firedAt[0] = clock.nanos());
    scheduler.runNext(Long.MAX_VALUE);
    assertThat(scheduler.nowMicros()).as("virtual time").isLessThan(150_000).isGreaterThan(140_000);
    assertThat(firedAt[0] - start).as("measured by the clock").isGreaterThanOrEqualTo(150_000_000L);
  }

  @Test
  void aClockThatChangesRateReadsOnWithoutAJump() {
    Scheduler scheduler = new Scheduler(new SplittableRandom(1));
    SimClock clock = new SimClock(scheduler, 0);
    scheduler.schedule(100_000, () -> {});
    scheduler.runNext(Long.MAX_VALUE);
    assertThat(clock.nanos()).isEqualTo(100_000_000L);
    clock.setRate(0.95);
    assertThat(clock.nanos()).isEqualTo(100_000_000L);
    scheduler.schedule(100_000, () -> {});
    scheduler.runNext(Long.MAX_VALUE);
    assertThat(clock.nanos()).isEqualTo(195_000_000L);
  }

  @Test
  void theClockRatesTheSimulationDrawsStayWithinTheDriftBoundTheCoreAssumes() {
    double slowest = 1 - EdgeFaultInjector.MAX_RATE_OFFSET;
    double fastest = 1 + EdgeFaultInjector.MAX_RATE_OFFSET;
    assertThat(slowest / fastest).isGreaterThanOrEqualTo(1 - CoreConfig.MAX_CLOCK_DRIFT);
  }

  @Test
  void clocksAtTheEndsOfTheDriftBoundKeepOneLeaderPerTermAndCommit() {
    cluster = SimCluster.start(3, 43);
    cluster.setClockRate(NodeId.of("n1"), 1 - EdgeFaultInjector.MAX_RATE_OFFSET);
    cluster.setClockRate(NodeId.of("n2"), 1 + EdgeFaultInjector.MAX_RATE_OFFSET);
    cluster.setClockRate(NodeId.of("n3"), 1 + EdgeFaultInjector.MAX_RATE_OFFSET);
    NodeId leader = cluster.awaitLeader(2_000);
    for (int i = 0; i < 5; i++) {
      cluster.crash(leader);
      cluster.restart(leader);
      leader = cluster.awaitLeader(3_000);
      assertThat(cluster.submitAndWait(leader, ("r" + i).getBytes(UTF_8), 1_000)).isCompleted();
    }
  }

  @Test
  void lateTimersAreCountedAndTheClusterGoesOn() {
    cluster = SimCluster.start(3, 44);
    NodeId leader = cluster.awaitLeader(2_000);
    cluster.lateTimers(leader, 1_000, 200); // heartbeats up to 200 ms late: followers may campaign
    cluster.runFor(1_000);
    assertThat(cluster.lateTimers()).isPositive();
    cluster.timersOnTime();
    NodeId now = cluster.awaitLeader(2_000);
    assertThat(cluster.submitAndWait(now, "on".getBytes(UTF_8), 1_000)).isCompleted();
  }

  @Test
  void messagesHeldForSecondsArriveLateAndChangeNothingTheyShouldNot() {
    cluster = SimCluster.start(3, 45);
    NodeId leader = cluster.awaitLeader(2_000);
    cluster.setLongDelays(0.5, 2_000, 4_000); // half of them, from elections to answers
    for (int i = 0; i < 5; i++) {
      cluster.submit(leader, ("held" + i).getBytes(UTF_8));
      cluster.runFor(100);
    }
    cluster.setLongDelays(0, 0, 0);
    assertThat(cluster.messagesDelayedLong()).isPositive();
    cluster.runFor(5_000); // every held message is delivered by now
    NodeId now = cluster.awaitLeader(2_000);
    assertThat(cluster.submitAndWait(now, "after".getBytes(UTF_8), 1_000)).isCompleted();
  }
}
