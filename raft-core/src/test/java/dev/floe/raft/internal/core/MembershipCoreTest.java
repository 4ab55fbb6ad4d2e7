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

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.AppendResponse;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.VoteRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Single-server membership changes in the core (thesis §4.1), in interleavings the randomized
 * simulation rarely reaches: the rule that a new leader commits an entry of its term before it
 * changes the membership, replication sessions of a removed and re-added node, and rollback.
 */
class MembershipCoreTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N3 = NodeId.of("n3");
  private static final NodeId N4 = NodeId.of("n4");
  private static final CoreConfig CONFIG = TestNetwork.classicConfig();

  private static Event.ChangeMembership change(long requestId, Event.MembershipChangeKind kind,
      NodeId node) {
    return new Event.ChangeMembership(requestId, kind, node, "");
  }

  private static long configurationEntries(RaftCore core) {
    return TestNetwork.logOf(core).stream().filter(e -> e.type() == EntryType.CONFIGURATION).count();
  }

  @Test
  void aNewLeaderChangesTheMembershipOnlyAfterAnEntryOfItsTermCommits() {
    TestNetwork net = TestNetwork.of(CONFIG, "n1", "n2", "n3");
    net.elect("n1");
    net.tick("n1", CONFIG.heartbeatTicks()); // the commit of the no-op reaches everyone
    net.deliverAll();
    assertThat(net.node("n2").commitIndex()).isEqualTo(1);
    // n1 appends a change that reaches nobody, then is cut off.
    net.step("n1", change(1, Event.MembershipChangeKind.REMOVE, N3));
    assertThat(configurationEntries(net.node("n1"))).isEqualTo(1);
    net.crash("n1");
    net.take(m -> true);

    // n2 leads term 2 without that change; its log is all committed as far as it knows.
    net.timeOut("n2");
    net.deliverAll(m -> !(m instanceof AppendRequest));
    RaftCore n2 = net.node("n2");
    assertThat(n2.role()).isEqualTo(Role.LEADER);
    assertThat(n2.configurationIndex()).isLessThanOrEqualTo(n2.commitIndex());

    n2.step(change(2, Event.MembershipChangeKind.REMOVE, N1));
    n2.ready();
    assertThat(configurationEntries(n2)).as("waits for its no-op to commit").isZero();

    net.deliverAll();
    net.tick("n2", CONFIG.heartbeatTicks());
    net.deliverAll();
    assertThat(configurationEntries(net.node("n2"))).isEqualTo(1);
    assertThat(net.node("n2").configuration().voters()).containsExactly(NodeId.of("n2"), N3);
  }

  /**
   * An ADD_VOTER whose learner step is in the leader's log when leadership is lost has an unknown
   * outcome (the next leader may commit that step), not "refused without effect".
   */
  @Test
  void addVoterInterruptedAfterItsLearnerStepIsAppendedHasAnUnknownOutcome() {
    TestNetwork net = TestNetwork.of(CONFIG, "n1", "n2", "n3");
    net.elect("n1");
    net.tick("n1", CONFIG.heartbeatTicks());
    net.deliverAll();
    net.join("n4");
    net.step("n1", change(7, Event.MembershipChangeKind.ADD_VOTER, N4));
    assertThat(net.node("n1").configuration().isLearner(N4)).as("the learner step is appended")
        .isTrue();

    net.deliver(new AppendResponse(NodeId.of("n2"), N1, 5, false, 0, 0, 0, 0, 0, 0));

    assertThat(net.node("n1").role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.outcomes("n1")).filteredOn(o -> o.requestId() == 7).singleElement()
        .isInstanceOf(Outcome.Unknown.class);
  }

  /**
   * A leader that appended its own removal and lost its leadership before the removal committed
   * may hold the most up-to-date log: the others can then win no election without it (it refuses
   * their shorter logs). It used to never campaign, since its latest configuration does not list
   * it, which left such a cluster without a leader for good (found by the simulator). It must
   * stand for election, win among the voters of its latest configuration, commit its removal and
   * hand over.
   */
  @Test
  void aLeaderWhoseOwnRemovalDidNotCommitStandsForElectionAgain() {
    TestNetwork net = TestNetwork.of(CONFIG, "n1", "n2", "n3", "n4");
    net.elect("n1");
    net.tick("n1", CONFIG.heartbeatTicks());
    net.deliverAll();
    net.step("n1", change(1, Event.MembershipChangeKind.REMOVE, N1));
    assertThat(net.node("n1").configuration().isVoter(N1)).isFalse();
    net.crash("n1");
    RaftCore n1 = net.recover("n1");
    assertThat(n1.configurationIndex()).isGreaterThan(n1.commitIndex());

    net.timeOut("n1");

    assertThat(n1.role()).isNotEqualTo(Role.FOLLOWER);
  }

  /**
   * A voter that missed a membership change knows a newly promoted voter as a learner, or not at
   * all. It used to drop that voter's vote requests, so when the old leader died the newer voters
   * could not gather a majority of their configuration: no leader, ever (found by the simulator's
   * long campaign, seed 1001296). With no leader alive it must answer them like any other.
   */
  @Test
  void aVoterBehindAMembershipChangeGivesItsVoteToAVoterItDoesNotKnowYet() {
    TestNetwork net = TestNetwork.of(CONFIG, "n1", "n2", "n3");
    net.elect("n1");
    net.tick("n1", CONFIG.heartbeatTicks());
    net.deliverAll();
    net.isolate("n3");
    net.join("n4");
    net.step("n1", change(1, Event.MembershipChangeKind.ADD_VOTER, N4));
    RaftCore n1 = net.node("n1");
    for (int i = 0; i < 50 && !(n1.configuration().isVoter(N4)
        && n1.commitIndex() >= n1.configurationIndex()); i++) {
      net.tick("n1", CONFIG.heartbeatTicks());
      net.deliverAll();
    }
    assertThat(n1.configuration().isVoter(N4)).isTrue();
    assertThat(n1.commitIndex()).isGreaterThanOrEqualTo(n1.configurationIndex());
    assertThat(net.node("n3").configuration().isVoter(N4)).as("n3 missed it").isFalse();

    net.crash("n1");
    net.take(m -> true);
    net.heal();
    net.elapse(CONFIG.electionTicksMax()); // no leader is alive for anyone now
    net.timeOut("n4");
    net.deliverAll(m -> !m.to().equals(N1));

    assertThat(net.node("n4").role()).as("n2 and n3 voted for n4").isEqualTo(Role.LEADER);
  }

  /**
   * A node that waits to join has no configuration and may have been wiped since it last voted:
   * it neither answers a vote request nor takes on its term.
   */
  @Test
  void aNodeWaitingToJoinIgnoresVoteRequests() {
    TestNetwork net = TestNetwork.of(CONFIG, "n1", "n2", "n3");
    RaftCore n4 = net.join("n4");
    net.take(m -> true);

    net.deliver(new VoteRequest(N1, N4, 5, 0, 0, false, false));
    net.deliver(new VoteRequest(N3, N4, 6, 0, 0, true, false));

    assertThat(net.take(m -> m.from().equals(N4))).isEmpty();
    assertThat(n4.term()).isZero();
  }

  @Test
  void anAnswerFromARemovedNodesEarlierSessionDoesNotCountForItsNewOne() {
    TestNetwork net = TestNetwork.of(CONFIG, "n1", "n2", "n3");
    RaftCore leader = net.elect("n1");
    net.join("n4");
    net.step("n1", change(1, Event.MembershipChangeKind.ADD_LEARNER, N4));
    for (int i = 0; i < 5; i++) {
      net.step("n1", new Event.Propose(List.of(new Event.Proposal(10 + i, new byte[] {1}))));
    }
    // Keep n4's last success of its first session aside, then let everything else through.
    net.deliverAll(m -> !(m instanceof AppendResponse r && r.from().equals(N4) && r.success()
        && r.matchIndex() == leader.lastIndex()));
    List<RaftMessage> stale = net.take(m -> m instanceof AppendResponse r && r.from().equals(N4));
    assertThat(stale).isNotEmpty();
    long staleMatch = ((AppendResponse) stale.get(stale.size() - 1)).matchIndex();
    net.deliverAll();

    // n4 is removed, loses its disk, and is added again.
    net.step("n1", change(2, Event.MembershipChangeKind.REMOVE, N4));
    net.deliverAll();
    assertThat(leader.configuration().contains(N4)).isFalse();
    net.join("n4");
    net.isolate("n4");
    net.step("n1", change(3, Event.MembershipChangeKind.ADD_LEARNER, N4));
    net.deliverAll();
    assertThat(leader.configuration().isLearner(N4)).isTrue();

    // The old session's success arrives late: it must not make the leader think n4 holds entries.
    net.heal();
    net.deliver(stale.get(stale.size() - 1));
    assertThat(staleMatch).isPositive();
    assertThat(leader.matchIndexes().get(N4)).isZero();

    // The new session brings the wiped node up to date from scratch.
    net.tick("n1", CONFIG.heartbeatTicks());
    net.deliverAll();
    assertThat(leader.matchIndexes().get(N4)).isEqualTo(leader.lastIndex());
    assertThat(TestNetwork.logOf(net.node("n4"))).isEqualTo(TestNetwork.logOf(leader));
  }

  @Test
  void anUncommittedConfigurationIsRolledBackWithItsEntry() {
    TestNetwork net = TestNetwork.of(CONFIG, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n1");
    net.step("n1", change(1, Event.MembershipChangeKind.ADD_LEARNER, N4));
    assertThat(net.node("n1").configuration().isLearner(N4)).as("in effect once appended").isTrue();
    net.elect("n2");
    net.heal();
    net.tick("n2", CONFIG.heartbeatTicks());
    net.deliverAll();
    RaftCore n1 = net.node("n1");
    assertThat(n1.role()).isEqualTo(Role.FOLLOWER);
    assertThat(n1.configuration()).isEqualTo(Configuration.ofVoters(
        List.of(N1, NodeId.of("n2"), N3)));
    assertThat(TestNetwork.logOf(n1)).extracting(LogEntry::type)
        .doesNotContain(EntryType.CONFIGURATION);
  }
}
