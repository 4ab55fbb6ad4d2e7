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
import dev.floe.raft.message.ForwardRequest;
import dev.floe.raft.message.ForwardResponse;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.TimeoutNow;
import dev.floe.raft.message.VoteRequest;
import dev.floe.raft.message.VoteResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proposals, forwarding, linearizable reads (thesis §6.4) and leadership transfer (§3.10). */
class ClientRequestTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final CoreConfig CONFIG = CoreConfig.defaults();

  private static Event.Propose propose(long requestId) {
    return new Event.Propose(List.of(new Event.Proposal(requestId, new byte[] {(byte) requestId})));
  }

  private static TestNetwork electedCluster() {
    TestNetwork net = TestNetwork.of(CONFIG, "n1", "n2", "n3");
    net.elect("n1");
    return net;
  }

  // ---------------------------------------------------------------- proposals and forwarding

  @Test
  void leaderAcceptsAProposalAtItsNextIndexAndCommitsIt() {
    TestNetwork net = electedCluster();

    net.step("n1", propose(7));
    net.deliverAll();

    assertThat(net.outcomes("n1")).containsExactly(new Outcome.ProposalAccepted(7, 2, 1));
    for (String id : List.of("n1", "n2", "n3")) {
      assertThat(net.applied(id)).as("applied on %s", id).extracting(LogEntry::index).containsExactly(1L, 2L);
    }
  }

  /**
   * A leader takes proposals until it holds two follower pipelines' worth of uncommitted entry
   * bytes (32 MiB with these settings): then a proposal is refused as overloaded, with no effect,
   * so that the backlog a cut-off majority or a slow disk builds up stays bounded; once entries
   * commit, proposals are taken again.
   */
  @Test
  void aLeaderRefusesProposalsBeyondItsUncommittedBytesUntilEntriesCommit() {
    TestNetwork net = electedCluster();
    byte[] big = new byte[12 << 20];
    net.isolate("n1");

    for (long id = 1; id <= 4; id++) {
      net.step("n1", new Event.Propose(List.of(new Event.Proposal(id, big))));
    }

    List<Outcome> outcomes = net.outcomes("n1");
    assertThat(outcomes).hasSize(4);
    assertThat(outcomes.subList(0, 3)).as("24 MiB held: a third still fits below 32 MiB")
        .allMatch(o -> o instanceof Outcome.ProposalAccepted);
    assertThat(outcomes.get(3)).isInstanceOfSatisfying(Outcome.Rejected.class, r -> {
      assertThat(r.refusal()).isEqualTo(Outcome.Refusal.OVERLOADED);
      assertThat(r.detail()).contains("not yet committed");
    });
    assertThat(net.node("n1").log().lastIndex()).as("the refused one was not appended").isEqualTo(4);

    net.heal();
    // The lost requests are resent once the pipeline counts as stalled: a heartbeat round per
    // MiB in flight (Replication.STALL_BYTES_PER_HEARTBEAT), 36 here.
    for (int i = 0; i < 60 && net.node("n1").commitIndex() < 4; i++) {
      net.tick("n1", CONFIG.heartbeatTicks());
      net.deliverAll();
    }
    assertThat(net.node("n1").commitIndex()).isEqualTo(4);
    net.step("n1", new Event.Propose(List.of(new Event.Proposal(5, big))));

    assertThat(net.outcomes("n1")).last().isInstanceOf(Outcome.ProposalAccepted.class);
  }

  @Test
  void followerForwardsAProposalToTheLeaderWhichAppendsItAndAnswers() {
    TestNetwork net = electedCluster();

    net.step("n2", propose(7));
    assertThat(net.inFlight())
        .containsExactly(new ForwardRequest(N2, N1, 1, 7, new byte[] {7}));
    net.deliverAll();

    assertThat(net.sent()).contains(new ForwardResponse(N1, N2, 1, 7, true, 2, 1, N1));
    assertThat(net.outcomes("n2")).containsExactly(new Outcome.ProposalAccepted(7, 2, 1));
    assertThat(net.node("n1").log().term(2)).isEqualTo(1);
    assertThat(net.applied("n2")).last().isEqualTo(LogEntry.command(2, 1, new byte[] {7}));
  }

  @Test
  void nodeThatKnowsNoLeaderRejectsAProposal() {
    TestNetwork net = TestNetwork.of(CONFIG, "n1", "n2", "n3");

    net.step("n2", propose(7));

    assertThat(net.outcomes("n2")).singleElement().isInstanceOfSatisfying(
        Outcome.Rejected.class, r -> {
          assertThat(r.requestId()).isEqualTo(7);
          assertThat(r.leaderHint()).isNull();
        });
    assertThat(net.inFlight()).isEmpty();
  }

  @Test
  void followerRefusesAForwardedProposalAndNamesTheLeaderItKnows() {
    TestNetwork net = electedCluster();

    net.deliver(new ForwardRequest(N3, N2, 1, 9, new byte[] {9}));

    assertThat(net.inFlight()).containsExactly(new ForwardResponse(N2, N3, 1, 9, false, 0, 0, N1));
    net.deliverAll();
    assertThat(net.outcomes("n3")).singleElement().isInstanceOfSatisfying(
        Outcome.Rejected.class, r -> assertThat(r.leaderHint()).isEqualTo(N1));
  }

  /**
   * A copy of a forward delayed behind thousands of later ones (more than any fixed window of
   * remembered ids) is not appended again: the sender's later forwards told the leader that it was
   * settled.
   */
  @Test
  void lateCopyOfAForwardIsDroppedOnceItsSenderSettledItHoweverManyCameBetween() {
    TestNetwork net = electedCluster();
    ForwardRequest first = new ForwardRequest(N3, N1, 1, 1, new byte[] {1}, 1);
    net.deliver(first);
    long lastBefore = net.node("n1").lastIndex();
    for (long id = 2; id <= 5_000; id++) {
      net.deliver(new ForwardRequest(N3, N1, 1, id, new byte[] {2}, id)); // all before id settled
    }
    assertThat(net.node("n1").lastIndex()).isEqualTo(lastBefore + 4_999);

    net.deliver(first);

    assertThat(net.node("n1").lastIndex()).as("the late copy appends nothing")
        .isEqualTo(lastBefore + 4_999);
  }

  @Test
  void duplicateOfAForwardStillAwaitedGetsTheSameIndex() {
    TestNetwork net = electedCluster();
    ForwardRequest f = new ForwardRequest(N3, N1, 1, 7, new byte[] {7}, 7);
    net.deliver(f);
    long index = net.node("n1").lastIndex();
    net.deliver(new ForwardRequest(N3, N1, 1, 8, new byte[] {8}, 7)); // 7 still awaited

    net.deliver(f);

    assertThat(net.node("n1").lastIndex()).isEqualTo(index + 1);
    assertThat(net.sent()).filteredOn(m -> m instanceof ForwardResponse r && r.requestId() == 7)
        .hasSize(2).allSatisfy(m -> assertThat(((ForwardResponse) m).index()).isEqualTo(index));
  }

  // ---------------------------------------------------------------- ReadIndex

  /**
   * Thesis §6.4 step 1: "If the leader has not yet marked an entry from its current term
   * committed, it waits until it has done so."
   */
  @Test
  void newLeaderGrantsNoReadBeforeItsNoOpCommits() {
    TestNetwork net = TestNetwork.of(CONFIG, "n1", "n2", "n3");
    net.timeOut("n1");
    net.deliverAll(m -> m instanceof VoteRequest || m instanceof VoteResponse);
    assertThat(net.node("n1").role()).isEqualTo(Role.LEADER);

    net.step("n1", new Event.ReadIndex(5));
    assertThat(net.outcomes("n1")).isEmpty();

    net.deliverAll();
    assertThat(net.node("n1").commitIndex()).isEqualTo(1);
    assertThat(net.outcomes("n1")).containsExactly(new Outcome.ReadIndexReady(5, 1));
  }

  /**
   * Thesis §6.4 step 3: "The leader needs to make sure it hasn't been superseded by a newer leader
   * ... it issues a new round of heartbeats and waits for their acknowledgments from a majority."
   */
  @Test
  void readIsGrantedOnceAMajorityAnswersAHeartbeatRoundSentAfterTheRequest() {
    TestNetwork net = electedCluster();
    net.isolate("n3");

    net.step("n1", new Event.ReadIndex(5));
    assertThat(net.outcomes("n1")).isEmpty();
    List<RaftMessage> heartbeats = net.inFlight();
    assertThat(heartbeats).singleElement().isInstanceOf(AppendRequest.class);

    net.deliverAll();
    assertThat(net.outcomes("n1")).containsExactly(new Outcome.ReadIndexReady(5, 1));
  }

  @Test
  void readIsNotGrantedWithoutAMajority() {
    TestNetwork net = electedCluster();
    net.isolate("n2", "n3");

    net.step("n1", new Event.ReadIndex(5));
    net.deliverAll();
    net.tick("n1", CONFIG.heartbeatTicks());
    net.deliverAll();

    assertThat(net.outcomes("n1")).isEmpty();
  }

  @Test
  void answerToAnOlderHeartbeatRoundDoesNotConfirmARead() {
    TestNetwork net = electedCluster();
    net.tick("n1", CONFIG.heartbeatTicks());
    List<RaftMessage> oldHeartbeats = net.take(m -> m instanceof AppendRequest);

    net.step("n1", new Event.ReadIndex(5));
    List<RaftMessage> readRound = net.take(m -> m instanceof AppendRequest);
    oldHeartbeats.forEach(net::deliver);
    net.deliverAll();
    assertThat(net.outcomes("n1")).as("answers to the round before the read").isEmpty();

    readRound.forEach(net::deliver);
    net.deliverAll();
    assertThat(net.outcomes("n1")).containsExactly(new Outcome.ReadIndexReady(5, 1));
  }

  @Test
  void followerGetsAReadIndexFromTheLeader() {
    TestNetwork net = electedCluster();
    net.step("n1", propose(1));
    net.deliverAll();

    net.step("n2", new Event.ReadIndex(5));
    net.deliverAll();

    assertThat(net.outcomes("n2")).containsExactly(new Outcome.ReadIndexReady(5, 2));
  }

  @Test
  void deposedLeaderRefusesItsPendingReads() {
    TestNetwork net = electedCluster();
    net.isolate("n2", "n3");
    net.step("n1", new Event.ReadIndex(5));

    net.tick("n1", 2 * CONFIG.electionTicksMin());

    assertThat(net.node("n1").role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.outcomes("n1")).singleElement().isInstanceOfSatisfying(
        Outcome.Rejected.class, r -> assertThat(r.requestId()).isEqualTo(5));
  }

  // ---------------------------------------------------------------- leadership transfer

  /**
   * Thesis §3.10: "Once the target server is caught up, the leader sends it a TimeoutNow request,
   * causing it to start a new election immediately."
   */
  @Test
  void transferToAnUpToDateFollowerSendsTimeoutNowAndTheTargetWins() {
    TestNetwork net = electedCluster();

    net.step("n1", new Event.TransferLeadership(3, N2));
    assertThat(net.inFlight()).containsExactly(new TimeoutNow(N1, N2, 1));
    net.deliverAll();

    assertThat(net.node("n2").role()).isEqualTo(Role.LEADER);
    assertThat(net.node("n2").term()).isEqualTo(2);
    assertThat(net.node("n1").role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.node("n1").leader()).isEqualTo(N2);
    assertThat(net.outcomes("n1")).containsExactly(new Outcome.TransferCompleted(3, N2));
  }

  /**
   * A lost TimeoutNow (its connection not back yet, say) is repeated every heartbeat while the
   * transfer lasts, so the transfer still completes; once it did, nothing more is sent.
   */
  @Test
  void aLostTimeoutNowIsRepeatedAtTheNextHeartbeat() {
    TestNetwork net = electedCluster();
    net.step("n1", new Event.TransferLeadership(3, N2));
    assertThat(net.take(m -> m instanceof TimeoutNow)).hasSize(1);

    net.tick("n1", CONFIG.heartbeatTicks());

    assertThat(net.inFlight()).contains(new TimeoutNow(N1, N2, 1));
    net.deliverAll();
    assertThat(net.node("n2").role()).isEqualTo(Role.LEADER);
    assertThat(net.outcomes("n1")).containsExactly(new Outcome.TransferCompleted(3, N2));
  }

  /** Thesis §3.10: "the prior leader ... catches up the target server's log". */
  @Test
  void transferToALaggingFollowerCatchesItUpBeforeTimeoutNow() {
    TestNetwork net = electedCluster();
    net.isolate("n3");
    net.step("n1", propose(1));
    net.step("n1", propose(2));
    net.deliverAll();
    net.heal();
    assertThat(net.node("n3").lastIndex()).isEqualTo(1);

    net.step("n1", new Event.TransferLeadership(3, N3));
    assertThat(net.inFlight()).noneMatch(m -> m instanceof TimeoutNow);
    for (int i = 0; i < CONFIG.electionTicksMin() - 1 && net.node("n3").role() != Role.LEADER; i++) {
      net.tick("n1");
      net.deliverAll();
    }

    assertThat(net.node("n3").role()).isEqualTo(Role.LEADER);
    List<RaftMessage> sent = net.sent();
    int caughtUp = indexOf(sent, m -> m instanceof AppendResponse r && r.from().equals(N3) && r.matchIndex() == 3);
    int timeoutNow = indexOf(sent, m -> m instanceof TimeoutNow);
    assertThat(caughtUp).isNotNegative().isLessThan(timeoutNow);
    assertThat(net.outcomes("n1")).contains(new Outcome.TransferCompleted(3, N3));
  }

  private static int indexOf(List<RaftMessage> messages, java.util.function.Predicate<RaftMessage> p) {
    for (int i = 0; i < messages.size(); i++) {
      if (p.test(messages.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Thesis §3.10: "During this time [the transfer] the prior leader ... stops accepting new client requests." */
  @Test
  void proposalsAreRefusedWhileATransferIsUnderWay() {
    TestNetwork net = electedCluster();
    net.isolate("n2");
    net.step("n1", new Event.TransferLeadership(3, N2));

    net.step("n1", propose(8));
    net.deliver(new ForwardRequest(N3, N1, 1, 9, new byte[] {9}));

    assertThat(net.outcomes("n1")).singleElement().isInstanceOfSatisfying(
        Outcome.Rejected.class, r -> assertThat(r.requestId()).isEqualTo(8));
    assertThat(net.inFlight()).contains(new ForwardResponse(N1, N3, 1, 9, false, 0, 0, N1));
    assertThat(net.node("n1").lastIndex()).isEqualTo(1);
  }

  /**
   * Thesis §3.10: "If the transfer does not complete after about one election timeout, the prior
   * leader aborts the transfer and resumes accepting client requests."
   */
  @Test
  void transferNotCompletedWithinAnElectionTimeoutIsAbandonedAndProposalsResume() {
    TestNetwork net = electedCluster();
    net.isolate("n2");
    net.step("n1", new Event.TransferLeadership(3, N2));

    for (int i = 0; i < CONFIG.electionTicksMin() - 1; i++) {
      net.tick("n1");
      net.deliverAll();
    }
    assertThat(net.outcomes("n1")).isEmpty();
    net.tick("n1");
    net.deliverAll();

    assertThat(net.node("n1").role()).isEqualTo(Role.LEADER);
    assertThat(net.outcomes("n1")).singleElement().isInstanceOfSatisfying(
        Outcome.Rejected.class, r -> assertThat(r.requestId()).isEqualTo(3));
    net.step("n1", propose(8));
    assertThat(net.outcomes("n1")).last().isEqualTo(new Outcome.ProposalAccepted(8, 2, 1));
  }
}
