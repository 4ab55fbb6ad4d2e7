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
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.VoteRequest;
import dev.floe.raft.message.VoteResponse;
import dev.floe.raft.spi.TermAndVote;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Leader election (Raft §5.2, §5.4.1) and the thesis' pre-vote and check-quorum (§9.6, §6.2). */
class ElectionTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  private static boolean isVoteMessage(RaftMessage m) {
    return m instanceof VoteRequest || m instanceof VoteResponse;
  }

  // ---------------------------------------------------------------- §5.2

  /**
   * "If a follower receives no communication over a period of time called the election timeout,
   * then it assumes there is no viable leader and begins an election." "A candidate wins an
   * election if it receives votes from a majority of the servers in the full cluster."
   */
  @Test
  void followerThatTimesOutPreVotesThenVotesAndWinsWithAMajority() {
    TestNetwork net = TestNetwork.of(CoreConfig.defaults(), "n1", "n2", "n3");
    net.isolate("n3");

    net.timeOut("n1");
    assertThat(net.node("n1").role()).isEqualTo(Role.CANDIDATE);
    assertThat(net.node("n1").term()).as("a pre-vote keeps the term").isZero();
    assertThat(net.inFlight())
        .singleElement()
        .isEqualTo(new VoteRequest(N1, N2, 1, 0, 0, true, false));

    net.deliverAll(m -> m instanceof VoteRequest v && v.preVote());
    net.deliverAll(m -> m instanceof VoteResponse r && r.preVote());
    assertThat(net.node("n1").term()).as("the won pre-vote starts the real election").isEqualTo(1);
    assertThat(net.inFlight()).singleElement().isEqualTo(new VoteRequest(N1, N2, 1, 0, 0, false, false));

    net.deliverAll(ElectionTest::isVoteMessage);
    assertThat(net.node("n1").role()).isEqualTo(Role.LEADER);
    assertThat(net.node("n1").term()).isEqualTo(1);
    assertThat(net.stored("n1").termAndVote).isEqualTo(new TermAndVote(1, N1));
    assertThat(net.stored("n2").termAndVote).isEqualTo(new TermAndVote(1, N1));
  }

  /**
   * "The RequestVote RPC implements this restriction: the RPC includes information about the
   * candidate's log, and the voter denies its vote if its own log is more up-to-date than that of
   * the candidate." (§5.4.1)
   */
  @Test
  void candidateWhoseLogIsBehindIsRefused() {
    TestNetwork net =
        TestNetwork.withLogs(
            TestNetwork.classicConfig(),
            1,
            Map.of("n1", new long[] {1}, "n2", new long[] {1, 1}, "n3", new long[] {1, 1}));

    net.timeOut("n1");
    net.deliverAll();

    assertThat(net.node("n1").role()).isNotEqualTo(Role.LEADER);
    assertThat(net.sent())
        .filteredOn(m -> m instanceof VoteResponse)
        .containsExactly(
            new VoteResponse(N2, N1, 2, false, false), new VoteResponse(N3, N1, 2, false, false));
    assertThat(net.stored("n2").termAndVote).isEqualTo(new TermAndVote(2, null));
  }

  @Test
  void candidateWithStaleLogIsRefusedAlreadyInThePreVote() {
    TestNetwork net =
        TestNetwork.withLogs(
            CoreConfig.defaults(),
            1,
            Map.of("n1", new long[] {1}, "n2", new long[] {1, 1}, "n3", new long[] {1, 1}));

    net.timeOut("n1");
    net.deliverAll();

    assertThat(net.node("n1").role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.node("n1").term()).isEqualTo(1);
    assertThat(net.node("n2").term()).isEqualTo(1);
  }

  /**
   * "Each server will vote for at most one candidate in a given term, on a first-come-first-served
   * basis."
   */
  @Test
  void voterGrantsOneVotePerTermFirstComeFirstServed() {
    TestNetwork net = TestNetwork.of(TestNetwork.classicConfig(), "n1", "n2", "n3");
    net.timeOut("n1");
    net.timeOut("n2");
    List<RaftMessage> toN3 = net.take(m -> m instanceof VoteRequest && m.to().equals(N3));
    RaftMessage fromN1 = toN3.get(0);
    RaftMessage fromN2 = toN3.get(1);
    assertThat(fromN2.from()).isEqualTo(N2);

    net.deliver(fromN1);
    net.deliver(fromN2);
    net.deliver(fromN1); // a retransmission from the candidate it voted for is granted again

    assertThat(net.sent())
        .filteredOn(m -> m instanceof VoteResponse && m.from().equals(N3))
        .containsExactly(
            new VoteResponse(N3, N1, 1, true, false),
            new VoteResponse(N3, N2, 1, false, false),
            new VoteResponse(N3, N1, 1, true, false));
    assertThat(net.stored("n3").termAndVote).isEqualTo(new TermAndVote(1, N1));
  }

  /**
   * "Once a leader has been elected ... each leader commit[s] a blank no-op entry into the log at
   * the start of its term." (§8)
   */
  @Test
  void newLeaderAppendsANoOpOfItsTermAndCommitsIt() {
    TestNetwork net =
        TestNetwork.withLogs(
            TestNetwork.classicConfig(),
            3,
            Map.of("n1", new long[] {1, 2}, "n2", new long[] {1, 2}, "n3", new long[] {1}));

    RaftCore leader = net.elect("n1");

    assertThat(leader.term()).isEqualTo(4);
    assertThat(leader.lastIndex()).isEqualTo(3);
    assertThat(TestNetwork.logOf(leader).get(2).type()).isEqualTo(EntryType.NOOP);
    assertThat(leader.log().term(3)).isEqualTo(4);
    assertThat(leader.commitIndex()).isEqualTo(3);
    assertThat(net.applied("n3")).extracting(e -> e.index()).containsExactly(1L, 2L, 3L);
    net.assertStoresMatchCores();
  }

  // ---------------------------------------------------------------- votes are durable first

  /**
   * Figure 2, "Persistent state on all servers: currentTerm, votedFor (updated on stable storage
   * before responding to RPCs)".
   */
  @Test
  void grantedVoteLeavesOnlyAfterTheTermAndVoteArePersisted() {
    TestNetwork net = TestNetwork.of(TestNetwork.classicConfig(), "n1", "n2", "n3");
    net.timeOut("n1");
    RaftMessage request = net.take(m -> m.to().equals(N2)).get(0);

    net.deliver(request);

    Ready ready = net.readies("n2").get(0);
    assertThat(ready.termAndVote()).isEqualTo(new TermAndVote(1, N1));
    assertThat(ready.messages()).isEmpty();
    assertThat(ready.messagesAfterPersist()).containsExactly(new VoteResponse(N2, N1, 1, true, false));
  }

  @Test
  void candidateCountsItsOwnVoteOnlyAfterPersistingIt() {
    RaftCore solo =
        new RaftCore(
            N1, dev.floe.raft.cluster.Configuration.ofVoters(List.of(N1)), TestNetwork.classicConfig(), TermAndVote.INITIAL, 0, 0, List.of(),
            new java.util.SplittableRandom(1), () -> 0L);
    while (solo.role() == Role.FOLLOWER) {
      solo.step(new Event.Tick());
    }
    assertThat(solo.role()).as("not leader before its vote is durable").isEqualTo(Role.CANDIDATE);

    Ready ready = solo.ready();
    assertThat(ready.termAndVote()).isEqualTo(new TermAndVote(1, N1));
    assertThat(ready.messagesAfterPersist()).containsExactly(new VoteResponse(N1, N1, 1, true, false));
    solo.step(new Event.Receive(ready.messagesAfterPersist().get(0)));
    assertThat(solo.role()).isEqualTo(Role.LEADER);
  }

  @Test
  void nodeRestartedInTheSameTermNeverVotesTwice() {
    TestNetwork net = TestNetwork.of(TestNetwork.classicConfig(), "n1", "n2", "n3");
    net.timeOut("n1");
    net.deliver(net.take(m -> m.to().equals(N2)).get(0));
    assertThat(net.stored("n2").termAndVote).isEqualTo(new TermAndVote(1, N1));

    RaftCore restarted = net.restart("n2");
    assertThat(restarted.term()).isEqualTo(1);
    net.deliver(new VoteRequest(N3, N2, 1, 0, 0, false, false));

    assertThat(net.sent())
        .filteredOn(m -> m.from().equals(N2) && m.to().equals(N3))
        .containsExactly(new VoteResponse(N2, N3, 1, false, false));
    assertThat(net.stored("n2").termAndVote).isEqualTo(new TermAndVote(1, N1));
  }

  // ---------------------------------------------------------------- higher terms

  /**
   * "If a server receives a request with a stale term number, it rejects the request." / "If one
   * server's current term is smaller than the other's, then it updates its current term to the
   * larger value. If a candidate or leader discovers that its term is out of date, it immediately
   * reverts to follower state." (§5.1)
   */
  @Test
  void followerAdoptsTheHigherTermAndLeaderOfAnAppendEntries() {
    TestNetwork net = TestNetwork.of(TestNetwork.classicConfig(), "n1", "n2", "n3");
    net.timeOut("n2");
    net.deliver(net.take(m -> m.to().equals(N1)).get(0)); // n1 votes for n2 in term 1

    net.deliver(new AppendRequest(N3, N1, 5, 0, 0, List.of(), 0, 0));

    RaftCore n1 = net.node("n1");
    assertThat(n1.term()).isEqualTo(5);
    assertThat(n1.leader()).isEqualTo(N3);
    assertThat(net.stored("n1").termAndVote).as("the vote is cleared").isEqualTo(new TermAndVote(5, null));
  }

  @Test
  void leaderStepsDownOnAnAppendResponseWithAHigherTerm() {
    TestNetwork net = TestNetwork.of(CoreConfig.defaults(), "n1", "n2", "n3");
    net.elect("n1");

    net.deliver(new AppendResponse(N2, N1, 7, false, 0, 0, 0, 0, 1, 0));

    RaftCore n1 = net.node("n1");
    assertThat(n1.role()).isEqualTo(Role.FOLLOWER);
    assertThat(n1.term()).isEqualTo(7);
    assertThat(n1.leader()).isNull();
    assertThat(net.stored("n1").termAndVote).isEqualTo(new TermAndVote(7, null));
  }

  @Test
  void candidateStepsDownOnAVoteRefusalWithAHigherTerm() {
    TestNetwork net = TestNetwork.of(TestNetwork.classicConfig(), "n1", "n2", "n3");
    net.timeOut("n1");

    net.deliver(new VoteResponse(N2, N1, 4, false, false));

    assertThat(net.node("n1").role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.node("n1").term()).isEqualTo(4);
    assertThat(net.stored("n1").termAndVote).isEqualTo(new TermAndVote(4, null));
  }

  @Test
  void requestFromAnOlderTermIsRejectedWithTheCurrentTerm() {
    TestNetwork net = TestNetwork.of(CoreConfig.defaults(), "n1", "n2", "n3");
    net.elect("n1");
    net.deliver(new AppendResponse(N3, N2, 2, false, 0, 0, 0, 0, 1, 0)); // n2 learns term 2

    net.deliver(new AppendRequest(N1, N2, 1, 1, 1, List.of(), 1, 9));

    assertThat(net.inFlight())
        .contains(new AppendResponse(N2, N1, 2, false, 0, 0, 0, 0, 1, 0));
    assertThat(net.node("n2").leader()).isNotEqualTo(N1);
  }

  // ---------------------------------------------------------------- pre-vote and check-quorum

  /** Thesis §9.6: a pre-vote asks "would you vote for me?" and changes no one's state. */
  @Test
  void preVoteChangesNoOnesTermOrVote() {
    TestNetwork net = TestNetwork.of(CoreConfig.defaults(), "n1", "n2", "n3");
    net.timeOut("n1");

    net.deliverAll(m -> m instanceof VoteRequest);

    for (String id : List.of("n1", "n2", "n3")) {
      assertThat(net.node(id).term()).isZero();
      assertThat(net.stored(id).termAndVote).isEqualTo(TermAndVote.INITIAL);
    }
    assertThat(net.readies("n2")).allSatisfy(r -> assertThat(r.mustPersist()).isFalse());
    assertThat(net.inFlight())
        .containsExactly(new VoteResponse(N2, N1, 1, true, true), new VoteResponse(N3, N1, 1, true, true));
  }

  /**
   * Thesis §9.6: a server that rejoins after a partition "would not be able to increment its term,
   * since it could not receive permission from a majority", so it does not disrupt the leader.
   */
  @Test
  void partitionedNodeRejoinsWithoutRaisingItsTermOrDeposingTheLeader() {
    TestNetwork net = TestNetwork.of(CoreConfig.defaults(), "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n3");

    int preVotesBefore = countPreVoteRequestsFrom(net, N3);
    for (int i = 0; i < 20 * CoreConfig.defaults().electionTicksMax(); i++) {
      net.tickAll();
      net.deliverAll();
    }
    assertThat(countPreVoteRequestsFrom(net, N3) - preVotesBefore)
        .as("n3 campaigned again and again")
        .isGreaterThan(10);
    assertThat(net.node("n3").term()).isEqualTo(1);

    net.heal();
    for (int i = 0; i < 5 * CoreConfig.defaults().electionTicksMax(); i++) {
      net.tickAll();
      net.deliverAll();
    }

    assertThat(net.node("n1").role()).isEqualTo(Role.LEADER);
    assertThat(net.node("n1").term()).isEqualTo(1);
    assertThat(net.node("n3").term()).isEqualTo(1);
    assertThat(net.node("n3").leader()).isEqualTo(N1);
    assertThat(net.node("n3").role()).isEqualTo(Role.FOLLOWER);
  }

  private static int countPreVoteRequestsFrom(TestNetwork net, NodeId id) {
    return (int)
        net.sent().stream()
            .filter(m -> m instanceof VoteRequest v && v.preVote() && v.from().equals(id))
            .count();
  }

  /**
   * Thesis §4.2.3/§6.2: "if a server receives a RequestVote request within the minimum election
   * timeout of hearing from a current leader, it does not update its term or grant its vote."
   */
  @Test
  void followerThatHeardFromALeaderRecentlyIgnoresVoteRequests() {
    TestNetwork net = TestNetwork.of(CoreConfig.defaults(), "n1", "n2", "n3");
    net.elect("n1");

    net.deliver(new VoteRequest(N2, N3, 2, 1, 1, false, false));

    assertThat(net.node("n3").term()).isEqualTo(1);
    assertThat(net.stored("n3").termAndVote).isEqualTo(new TermAndVote(1, N1));
    assertThat(net.inFlight()).noneMatch(m -> m instanceof VoteResponse r && r.granted());
  }

  @Test
  void followerVotesOnceTheLeaderHasBeenSilentForAnElectionTimeout() {
    TestNetwork net = TestNetwork.of(CoreConfig.defaults(), "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n1");
    RaftCore n3 = net.node("n3");
    net.elapse(CoreConfig.defaults().electionTicksMin()); // measured by the clock, not in ticks
    for (int i = 0; i < CoreConfig.defaults().electionTicksMin(); i++) {
      n3.step(new Event.Tick()); // time passes on n3 without its own timeout being drained
    }

    net.deliver(new VoteRequest(N2, N3, 2, 1, 1, false, false));

    assertThat(n3.term()).isEqualTo(2);
    assertThat(net.stored("n3").termAndVote).isEqualTo(new TermAndVote(2, N2));
  }

  @Test
  void voteRequestOfALeadershipTransferIsHonouredDespiteTheLease() {
    TestNetwork net = TestNetwork.of(CoreConfig.defaults(), "n1", "n2", "n3");
    net.elect("n1");

    net.deliver(new VoteRequest(N2, N3, 2, 1, 1, false, true));

    assertThat(net.stored("n3").termAndVote).isEqualTo(new TermAndVote(2, N2));
  }

  /**
   * Thesis §6.2: "a leader steps down if an election timeout elapses without a successful round of
   * heartbeats to a majority of its cluster."
   */
  @Test
  void leaderCutOffFromAMajorityStepsDownAfterAnElectionTimeout() {
    CoreConfig config = CoreConfig.defaults();
    TestNetwork net = TestNetwork.of(config, "n1", "n2", "n3");
    RaftCore n1 = net.elect("n1");
    net.isolate("n1");

    net.tick("n1", config.electionTicksMin() - 1);
    assertThat(n1.role()).isEqualTo(Role.LEADER);
    net.tick("n1", config.electionTicksMin() + 1);

    assertThat(n1.role()).isEqualTo(Role.FOLLOWER);
    assertThat(n1.term()).as("stepping down changes no term").isEqualTo(1);
    assertThat(n1.leader()).isNull();
  }

  @Test
  void leaderInTouchWithAMajorityKeepsLeading() {
    CoreConfig config = CoreConfig.defaults();
    TestNetwork net = TestNetwork.of(config, "n1", "n2", "n3");
    RaftCore n1 = net.elect("n1");
    net.isolate("n3");

    for (int i = 0; i < 10 * config.electionTicksMax(); i++) {
      net.tick("n1");
      net.tick("n2");
      net.deliverAll();
    }

    assertThat(n1.role()).isEqualTo(Role.LEADER);
    assertThat(n1.term()).isEqualTo(1);
  }
}
