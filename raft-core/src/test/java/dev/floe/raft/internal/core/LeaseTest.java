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
package dev.floe.raft.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.AppendResponse;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.TimeoutNow;
import dev.floe.raft.message.VoteRequest;
import dev.floe.raft.message.VoteResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Leases (thesis §6.4.1) hold only as long as no other leader can be elected. They rest on real
 * time measured with each node's clock, not on ticks, which a busy or paused process delivers late;
 * on a restarted node's refusal to vote; and on the leader forfeiting its lease once it has told a
 * node to campaign without waiting (TimeoutNow), however late that message arrives.
 */
class LeaseTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final CoreConfig CONFIG = CoreConfig.defaults();

  /** A three-node cluster whose leader n1 has committed its no-op and heard from everyone. */
  private static TestNetwork leaderWithLease() {
    TestNetwork net = TestNetwork.of(CONFIG, "n1", "n2", "n3");
    net.elect("n1");
    net.tick("n1", CONFIG.heartbeatTicks());
    net.deliverAll();
    return net;
  }

  private static boolean grantedAtOnce(TestNetwork net, long requestId) {
    net.step("n1", new Event.LeaseRead(requestId));
    return net.outcomes("n1").stream().anyMatch(
        o -> o instanceof Outcome.ReadIndexReady r && r.requestId() == requestId);
  }

  @Test
  void aLeaderWithAFreshMajorityRoundServesALeaseReadAtOnce() {
    TestNetwork net = leaderWithLease();

    assertThat(grantedAtOnce(net, 100)).isTrue();
  }

  /**
   * A paused leader (a long GC pause, SIGSTOP) resumes with no tick having run: counted in ticks
   * its lease would still hold, though more than an election timeout of real time has passed and
   * the others may have elected a new leader.
   */
  @Test
  void leaseEndsWithRealTimeEvenWhenNoTickRanMeanwhile() {
    TestNetwork net = leaderWithLease();

    net.elapse(CONFIG.electionTicksMin()); // the loop was paused: time passed, no tick ran

    assertThat(grantedAtOnce(net, 100)).isFalse();
  }

  @Test
  void leaseEndsBeforeTheFollowersStopRefusingVotesByTheDriftMargin() {
    TestNetwork net = leaderWithLease();
    long leaseTicks = CONFIG.leaseNanos() / CONFIG.tickNanos();

    net.elapse((int) leaseTicks);
    assertThat(grantedAtOnce(net, 100)).as("within the lease").isTrue();
    net.elapse(1);
    assertThat(grantedAtOnce(net, 101)).as("at its end").isFalse();
    assertThat(leaseTicks).isLessThan(CONFIG.electionTicksMin());
  }

  /**
   * A TimeoutNow that arrives after its transfer was abandoned elects its target at once (voters
   * honour a transfer's vote request despite their lease), so the old leader must not go back to
   * serving lease reads once it has sent one.
   */
  @Test
  void aLeaderThatSentTimeoutNowServesNoLeaseReadForTheRestOfItsTerm() {
    TestNetwork net = leaderWithLease();
    net.step("n1", new Event.TransferLeadership(5, N2));
    List<RaftMessage> timeoutNow = net.take(m -> m instanceof TimeoutNow);
    assertThat(timeoutNow).hasSize(1);
    for (int i = 0; i < CONFIG.electionTicksMin(); i++) {
      net.tick("n1");
      net.take(m -> m instanceof TimeoutNow); // the copies repeated every heartbeat are lost too
      net.deliverAll();
    }
    assertThat(net.outcomes("n1")).anyMatch(o -> o instanceof Outcome.Rejected r && r.requestId() == 5);
    assertThat(net.node("n1").role()).isEqualTo(Role.LEADER);

    assertThat(grantedAtOnce(net, 100)).as("lease forfeited though the transfer was dropped").isFalse();

    // The late TimeoutNow does elect n2, with n3's vote, inside what would have been n1's lease.
    net.deliver(timeoutNow.get(0));
    net.isolate("n1");
    net.deliverAll();
    assertThat(net.node("n2").role()).isEqualTo(Role.LEADER);
  }

  /**
   * A node that restarts may have heard from a leader just before: it refuses votes for a minimum
   * election timeout after it starts, or a candidate could win inside that leader's lease.
   */
  @Test
  void aRestartedNodeRefusesVotesForAMinimumElectionTimeoutAfterItStarts() {
    TestNetwork net = leaderWithLease();
    net.isolate("n1");
    net.crash("n3");
    net.recover("n3");
    VoteRequest preVote = new VoteRequest(N2, N3, 2, 1, 1, true, false);

    net.deliver(preVote);
    assertThat(net.inFlight()).filteredOn(m -> m instanceof VoteResponse)
        .singleElement().satisfies(m -> assertThat(((VoteResponse) m).granted()).isFalse());
    net.take(m -> true);

    net.elapse(CONFIG.electionTicksMin());
    net.deliver(preVote);
    assertThat(net.inFlight()).filteredOn(m -> m instanceof VoteResponse)
        .singleElement().satisfies(m -> assertThat(((VoteResponse) m).granted()).isTrue());
  }

  /** A follower measures its refusal from when it heard the leader, in real time too. */
  @Test
  void aFollowerRefusesVotesUntilAnElectionTimeoutOfRealTimeAfterHearingTheLeader() {
    TestNetwork net = leaderWithLease();
    net.elapse(CONFIG.electionTicksMin()); // well past n3's start
    net.tick("n1", CONFIG.heartbeatTicks());
    net.deliverAll(m -> m instanceof AppendRequest || m instanceof AppendResponse);
    VoteRequest preVote = new VoteRequest(N2, N3, 2, 1, 1, true, false);

    net.elapse(CONFIG.electionTicksMin() - 1);
    net.deliver(preVote);
    assertThat(net.inFlight()).filteredOn(m -> m instanceof VoteResponse)
        .singleElement().satisfies(m -> assertThat(((VoteResponse) m).granted()).isFalse());
    net.take(m -> true);

    net.elapse(1);
    net.deliver(preVote);
    assertThat(net.inFlight()).filteredOn(m -> m instanceof VoteResponse)
        .singleElement().satisfies(m -> assertThat(((VoteResponse) m).granted()).isTrue());
  }
}
