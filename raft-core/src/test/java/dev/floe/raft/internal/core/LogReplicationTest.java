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
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.VoteRequest;
import dev.floe.raft.message.VoteResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Log replication and the commit rule (Raft §5.3, §5.4.2, Figures 7 and 8). */
class LogReplicationTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  private static boolean isVoteMessage(RaftMessage m) {
    return m instanceof VoteRequest || m instanceof VoteResponse;
  }

  private static List<Event.Proposal> command(long requestId) {
    return List.of(new Event.Proposal(requestId, new byte[] {(byte) requestId}));
  }

  private static List<Long> terms(long... terms) {
    List<Long> out = new java.util.ArrayList<>();
    for (long t : terms) {
      out.add(t);
    }
    return out;
  }

  // ---------------------------------------------------------------- Figure 7

  /**
   * Figure 7: "When the leader at the top comes to power, it is possible that any of scenarios
   * (a–f) could occur in follower logs." §5.3: "the leader handles inconsistencies by forcing the
   * followers' logs to duplicate its own", and with the conflicting term in the rejection "one
   * AppendEntries RPC will be required for each term with conflicting entries, rather than one RPC
   * per entry."
   */
  @Test
  void figure7EveryFollowerLogEndsEqualToTheLeadersWithOneRejectionPerConflictingTerm() {
    TreeMap<String, long[]> logs = new TreeMap<>();
    logs.put("leader", new long[] {1, 1, 1, 4, 4, 5, 5, 6, 6, 6});
    logs.put("a", new long[] {1, 1, 1, 4, 4, 5, 5, 6, 6});
    logs.put("b", new long[] {1, 1, 1, 4});
    logs.put("c", new long[] {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6});
    logs.put("d", new long[] {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7});
    logs.put("e", new long[] {1, 1, 1, 4, 4, 4, 4});
    logs.put("f", new long[] {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3});
    TestNetwork net = TestNetwork.withLogs(CoreConfig.defaults(), 7, logs);

    RaftCore leader = net.elect("leader");

    assertThat(leader.term()).isEqualTo(8);
    List<Long> expected = terms(1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8);
    assertThat(TestNetwork.termsOf(leader)).isEqualTo(expected);
    List<LogEntry> leaderLog = TestNetwork.logOf(leader);
    for (String follower : List.of("a", "b", "c", "d", "e", "f")) {
      assertThat(TestNetwork.logOf(net.node(follower))).as("log of (%s)", follower).isEqualTo(leaderLog);
    }
    net.assertStoresMatchCores();
    assertThat(leader.commitIndex()).isEqualTo(11);

    Map<String, Long> rejections = new TreeMap<>();
    for (String follower : logs.keySet()) {
      if (!follower.equals("leader")) {
        NodeId id = NodeId.of(follower);
        rejections.put(
            follower,
            net.sent().stream()
                .filter(m -> m instanceof AppendResponse r && !r.success() && r.from().equals(id))
                .count());
      }
    }
    // (f) differs from the leader in 7 entries of 2 terms: 2 round trips, not 7.
    assertThat(rejections)
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", 1L, "c", 0L, "d", 0L, "e", 2L, "f", 2L));
  }

  // ---------------------------------------------------------------- Figure 8

  private static final CoreConfig ONE_ENTRY_PER_APPEND = oneEntryPerAppend();

  private static CoreConfig oneEntryPerAppend() {
    CoreConfig c = TestNetwork.classicConfig();
    return new CoreConfig(
        c.electionTicksMin(), c.electionTicksMax(), c.heartbeatTicks(), 1, c.maxBytesPerAppend(),
        c.maxInflightAppends(), c.maxInflightBytes(), false, false);
  }

  /** Times {@code id} out until it wins, delivering only election messages. */
  private static RaftCore campaignUntilLeader(TestNetwork net, String id) {
    RaftCore core = net.node(id);
    for (int attempt = 0; attempt < 5 && core.role() != Role.LEADER; attempt++) {
      long term = core.term();
      while (core.term() == term) {
        net.tick(id);
      }
      net.deliverAll(LogReplicationTest::isVoteMessage);
    }
    assertThat(core.role()).as("%s won", id).isEqualTo(Role.LEADER);
    return core;
  }

  /**
   * Figure 8 (a) to (c): S1 leads term 2 and reaches S2 only; S5 leads term 3 and reaches no one;
   * S1 restarts, leads term 4 and copies its term-2 entry at index 2 to S3 and S4, which with S1
   * makes a majority. Returns the network in state (c), the entry of term 4 at index 3 held back.
   */
  private static TestNetwork figure8UpToC() {
    TestNetwork net =
        TestNetwork.withLogs(
            ONE_ENTRY_PER_APPEND,
            1,
            Map.of(
                "s1", new long[] {1}, "s2", new long[] {1}, "s3", new long[] {1},
                "s4", new long[] {1}, "s5", new long[] {1}));
    Set<NodeId> s1s2 = Set.of(NodeId.of("s1"), NodeId.of("s2"));

    // (a) S1 leads term 2 and replicates its entry at index 2 to S2 only.
    campaignUntilLeader(net, "s1");
    net.deliverAll(m -> s1s2.contains(m.from()) && s1s2.contains(m.to()));
    assertThat(TestNetwork.termsOf(net.node("s2"))).isEqualTo(terms(1, 2));

    // (b) S1 crashes; S5 is elected for term 3 by S3, S4 and itself, appends at index 2, crashes.
    net.crash("s1");
    RaftCore s5 = campaignUntilLeader(net, "s5");
    assertThat(s5.term()).isEqualTo(3);
    assertThat(TestNetwork.termsOf(s5)).isEqualTo(terms(1, 3));
    net.crash("s5");

    // (c) S1 restarts, is elected for term 4, and copies index 2 to S3 and S4 (not yet index 3).
    net.recover("s1");
    RaftCore s1 = campaignUntilLeader(net, "s1");
    assertThat(s1.term()).isEqualTo(4);
    Set<NodeId> s3s4 = Set.of(NodeId.of("s3"), NodeId.of("s4"));
    net.deliverAll(
        m ->
            (m instanceof AppendRequest a
                    && s3s4.contains(a.to())
                    && (a.prevLogIndex() > net.node(a.to().value()).lastIndex() // will be refused
                        || a.entries().stream().allMatch(e -> e.term() < 4)))
                || (m instanceof AppendResponse && s3s4.contains(m.from())));
    assertThat(TestNetwork.termsOf(net.node("s3"))).isEqualTo(terms(1, 2));
    assertThat(TestNetwork.termsOf(net.node("s4"))).isEqualTo(terms(1, 2));
    return net;
  }

  /**
   * Figure 8: "a leader cannot immediately conclude that an entry from a previous term is committed
   * once it is stored on a majority of servers". §5.4.2: "Raft never commits log entries from
   * previous terms by counting replicas."
   */
  @Test
  void figure8EntryOfAnEarlierTermOnAMajorityIsNotCommittedAndCanBeOverwritten() {
    TestNetwork net = figure8UpToC();
    RaftCore s1 = net.node("s1");

    assertThat(s1.matchIndexes())
        .containsEntry(NodeId.of("s1"), 3L)
        .containsEntry(NodeId.of("s3"), 2L)
        .containsEntry(NodeId.of("s4"), 2L);
    assertThat(s1.commitIndex()).as("index 2 (term 2) is on a majority, yet not committed").isZero();
    assertThat(net.applied("s1")).isEmpty();

    // (d) S1 crashes; S5 restarts, is elected for term 5 by S2, S3, S4 and overwrites index 2.
    net.crash("s1");
    net.recover("s5");
    RaftCore s5 = campaignUntilLeader(net, "s5");
    net.deliverAll();

    assertThat(s5.term()).isEqualTo(5);
    for (String id : List.of("s2", "s3", "s4", "s5")) {
      assertThat(TestNetwork.termsOf(net.node(id))).as(id).isEqualTo(terms(1, 3, 5));
    }
    assertThat(net.readies("s3")).anySatisfy(r -> assertThat(r.truncateFrom()).isEqualTo(2));
    net.assertStoresMatchCores();
  }

  /**
   * Figure 8 (e): "if S1 replicates an entry from its current term on a majority of the servers
   * before crashing ... then this entry is committed (S5 cannot win an election). At this point
   * all preceding entries in the log are committed as well."
   */
  @Test
  void figure8EntryOfAnEarlierTermCommitsWithTheFirstEntryOfTheCurrentTerm() {
    TestNetwork net = figure8UpToC();
    RaftCore s1 = net.node("s1");
    Set<NodeId> s3s4 = Set.of(NodeId.of("s3"), NodeId.of("s4"));

    net.deliverAll(m -> s3s4.contains(m.to()) || s3s4.contains(m.from()));

    assertThat(s1.commitIndex()).isEqualTo(3);
    assertThat(net.applied("s1")).extracting(LogEntry::term).containsExactly(1L, 2L, 4L);

    net.crash("s1");
    RaftCore s5 = net.recover("s5");
    for (int i = 0; i < 5; i++) {
      long term = s5.term();
      while (s5.term() == term) {
        net.tick("s5");
      }
      net.deliverAll(LogReplicationTest::isVoteMessage);
      assertThat(s5.role()).as("S5 cannot win").isNotEqualTo(Role.LEADER);
    }
    assertThat(TestNetwork.termsOf(net.node("s3"))).isEqualTo(terms(1, 2, 4));
  }

  // ---------------------------------------------------------------- the follower's log

  /**
   * Figure 2, AppendEntries receiver step 3: "If an existing entry conflicts with a new one (same
   * index but different terms), delete the existing entry and all that follow it". Only then: a
   * request that arrives late or twice, whose entries are already there, removes nothing.
   */
  @Test
  void lateOrDuplicatedAppendEntriesDoesNotTruncateLaterEntries() {
    TestNetwork net = TestNetwork.of(CoreConfig.defaults(), "n1", "n2", "n3");
    net.elect("n1");
    net.step("n1", new Event.Propose(command(1)));
    RaftMessage first = net.take(m -> m.to().equals(N2)).get(0);
    net.step("n1", new Event.Propose(command(2)));
    RaftMessage second = net.take(m -> m.to().equals(N2)).get(0);
    assertThat(((AppendRequest) first).entries()).extracting(LogEntry::index).containsExactly(2L);
    assertThat(((AppendRequest) second).entries()).extracting(LogEntry::index).containsExactly(3L);

    net.deliver(first);
    net.deliver(second);
    int readiesBefore = net.readies("n2").size();
    net.deliver(first);

    RaftCore n2 = net.node("n2");
    assertThat(n2.lastIndex()).isEqualTo(3);
    assertThat(net.readies("n2").subList(readiesBefore, net.readies("n2").size()))
        .allSatisfy(r -> {
          assertThat(r.truncateFrom()).isZero();
          assertThat(r.entries()).isEmpty();
        });
    assertThat(net.inFlight())
        .filteredOn(m -> m instanceof AppendResponse && m.from().equals(N2))
        .extracting(m -> ((AppendResponse) m).matchIndex())
        .containsExactly(2L, 3L, 2L);
    net.assertStoresMatchCores();
  }

  @Test
  void realConflictTruncatesTheFollowersLogFromTheConflict() {
    TestNetwork net =
        TestNetwork.withLogs(
            TestNetwork.classicConfig(),
            2,
            Map.of("n1", new long[] {1, 1}, "n2", new long[] {1, 1}, "n3", new long[] {1, 1, 2, 2}));

    net.elect("n1");

    assertThat(net.readies("n3")).anySatisfy(r -> assertThat(r.truncateFrom()).isEqualTo(3));
    assertThat(TestNetwork.termsOf(net.node("n3"))).isEqualTo(terms(1, 1, 3));
    assertThat(net.stored("n3").log).extracting(LogEntry::term).containsExactly(1L, 1L, 3L);
  }

  /**
   * Figure 2, AppendEntries receiver step 5: "If leaderCommit > commitIndex, set commitIndex =
   * min(leaderCommit, index of last new entry)" — the last entry this request vouches for, not the
   * follower's last entry, which may be a stale one from an old term.
   */
  @Test
  void followerCommitsOnlyUpToTheLastEntryTheRequestConfirmed() {
    TestNetwork net =
        TestNetwork.withLogs(
            TestNetwork.classicConfig(), 2, Map.of("n1", new long[] {1}, "n2", new long[] {1, 1, 1}));
    RaftCore n2 = net.node("n2");

    net.deliver(new AppendRequest(N1, N2, 2, 1, 1, List.of(), 3, 0));

    assertThat(n2.commitIndex()).isEqualTo(1);
    assertThat(net.applied("n2")).extracting(LogEntry::index).containsExactly(1L);

    net.deliver(new AppendRequest(N1, N2, 2, 1, 1, List.of(LogEntry.noop(2, 2)), 3, 0));

    assertThat(n2.commitIndex()).isEqualTo(2);
    assertThat(TestNetwork.termsOf(n2)).isEqualTo(terms(1, 2));
    assertThat(net.applied("n2")).extracting(LogEntry::term).containsExactly(1L, 2L);
  }

  // ---------------------------------------------------------------- the leader's bookkeeping

  @Test
  void responseFromAnOlderTermIsIgnored() {
    TestNetwork net =
        TestNetwork.withLogs(
            CoreConfig.defaults(),
            1,
            Map.of("n1", new long[] {1}, "n2", new long[] {1}, "n3", new long[] {1}));
    RaftCore n1 = net.node("n1");
    net.timeOut("n1");
    net.deliverAll(LogReplicationTest::isVoteMessage);
    assertThat(n1.role()).isEqualTo(Role.LEADER);
    assertThat(n1.term()).isEqualTo(2);
    net.isolate("n3");
    List<RaftMessage> held = net.take(m -> m.to().equals(N2));

    net.deliver(new AppendResponse(N2, N1, 1, true, 2, 0, 0, 0, 2, 0));

    assertThat(n1.matchIndexes()).containsEntry(N2, 0L);
    assertThat(n1.commitIndex()).isZero();

    held.forEach(net::deliver);
    net.deliverAll();
    assertThat(n1.commitIndex()).isEqualTo(2);
  }

  /** "matchIndex ... increases monotonically" (Figure 2). */
  @Test
  void matchIndexDoesNotDecreaseOnADuplicatedSuccess() {
    TestNetwork net = TestNetwork.of(CoreConfig.defaults(), "n1", "n2", "n3");
    RaftCore n1 = net.elect("n1");
    RaftMessage oldAck =
        net.sent().stream()
            .filter(m -> m instanceof AppendResponse r && r.success() && r.from().equals(N2))
            .findFirst()
            .orElseThrow();
    net.step("n1", new Event.Propose(command(1)));
    net.deliverAll();
    assertThat(n1.matchIndexes()).containsEntry(N2, 2L);

    net.deliver(oldAck);

    assertThat(n1.matchIndexes()).containsEntry(N2, 2L);
  }

  @Test
  void matchIndexDoesNotDecreaseOnADuplicatedRejection() {
    TestNetwork net =
        TestNetwork.withLogs(
            TestNetwork.classicConfig(),
            1,
            Map.of("n1", new long[] {1, 1, 1}, "n2", new long[] {1}, "n3", new long[] {1, 1, 1}));
    RaftCore n1 = net.elect("n1");
    RaftMessage oldRejection =
        net.sent().stream()
            .filter(m -> m instanceof AppendResponse r && !r.success() && r.from().equals(N2))
            .findFirst()
            .orElseThrow();
    assertThat(n1.matchIndexes()).containsEntry(N2, 4L);

    net.deliver(oldRejection);

    assertThat(n1.matchIndexes()).containsEntry(N2, 4L);
    assertThat(net.inFlight()).as("nothing is resent").isEmpty();
  }

  /**
   * A commit-index heartbeat that overtakes a follower's acknowledgement can only tell it the
   * commit up to what it had confirmed; once the acknowledgement arrives the leader tells it the
   * rest, without waiting for the next heartbeat tick.
   */
  @Test
  void followerWhoseAcknowledgementArrivesAfterTheCommitLearnsItWithoutAHeartbeatTick() {
    TestNetwork net = TestNetwork.of(CoreConfig.defaults(), "n1", "n2", "n3");
    RaftCore n1 = net.elect("n1");
    NodeId n3 = NodeId.of("n3");
    net.step("n1", new Event.Propose(command(1)));
    List<RaftMessage> appendToN3 = net.take(m -> m.to().equals(n3));
    net.deliverAll();
    assertThat(n1.commitIndex()).isEqualTo(2);
    assertThat(net.node("n3").commitIndex()).as("a heartbeat at index 1 cannot commit 2").isEqualTo(1);

    appendToN3.forEach(net::deliver);
    net.deliverAll();

    assertThat(net.node("n3").commitIndex()).isEqualTo(2);
    assertThat(net.applied("n3")).extracting(LogEntry::index).containsExactly(1L, 2L);
  }

  /** Outside Raft's failure model, but the leader still recovers a follower whose disk was wiped. */
  @Test
  void followerThatLostItsWholeLogIsBroughtBackByTheNextHeartbeatRound() {
    CoreConfig config = CoreConfig.defaults();
    TestNetwork net = TestNetwork.of(config, "n1", "n2", "n3");
    RaftCore n1 = net.elect("n1");
    net.step("n1", new Event.Propose(command(1)));
    net.deliverAll();
    net.stored("n2").log.clear();
    net.stored("n2").termAndVote = dev.floe.raft.spi.TermAndVote.INITIAL;
    net.restart("n2");

    net.tick("n1", config.heartbeatTicks());
    net.deliverAll();

    assertThat(TestNetwork.logOf(net.node("n2"))).isEqualTo(TestNetwork.logOf(n1));
    assertThat(n1.matchIndexes()).containsEntry(N2, 2L);
    net.assertStoresMatchCores();
  }

  @Test
  void leaderCountsItsOwnEntryOnlyOnceItIsDurable() {
    RaftCore solo =
        new RaftCore(
            N1, dev.floe.raft.cluster.Configuration.ofVoters(List.of(N1)), TestNetwork.classicConfig(), dev.floe.raft.spi.TermAndVote.INITIAL, 0,
            0, List.of(), new java.util.SplittableRandom(1), () -> 0L);
    while (solo.role() != Role.CANDIDATE) {
      solo.step(new Event.Tick());
    }
    solo.step(new Event.Receive(solo.ready().messagesAfterPersist().get(0)));
    assertThat(solo.role()).isEqualTo(Role.LEADER);

    Ready ready = solo.ready();
    assertThat(ready.entries()).containsExactly(LogEntry.noop(1, 1));
    assertThat(solo.commitIndex()).as("not before its write is durable").isZero();
    assertThat(ready.messagesAfterPersist())
        .containsExactly(new AppendResponse(N1, N1, 1, true, 1, 0, 0, 0, 1, 0));
    solo.step(new Event.Receive(ready.messagesAfterPersist().get(0)));
    assertThat(solo.commitIndex()).isEqualTo(1);
  }

  /**
   * A follower forcing a large batch to a slow disk must still show the leader that it follows:
   * a heartbeat at a committed point claims nothing new, so it is answered at once, while entries
   * are confirmed only once durable. A heartbeat beyond the commit index is answered at once for
   * the commit index, and for the rest once durable (simulation seed 276, five nodes).
   */
  @Test
  void aHeartbeatAtACommittedPointIsAnsweredAtOnceAndEntriesOnlyOnceDurable() {
    RaftCore follower = new RaftCore(N2, dev.floe.raft.cluster.Configuration.ofVoters(List.of(N1, N2, N3)),
        TestNetwork.classicConfig(), new dev.floe.raft.spi.TermAndVote(1, N1), 0, 0,
        TestNetwork.entries(1, 1), new java.util.SplittableRandom(1), () -> 0L);

    follower.step(new Event.Receive(new AppendRequest(N1, N2, 1, 2, 1, List.of(), 2, 7)));
    Ready heartbeat = follower.ready();
    follower.step(new Event.Receive(new AppendRequest(N1, N2, 1, 2, 1,
        List.of(LogEntry.command(3, 1, new byte[] {3})), 2, 8)));
    Ready entries = follower.ready();
    follower.step(new Event.Receive(new AppendRequest(N1, N2, 1, 3, 1, List.of(), 2, 9)));
    Ready beyondCommit = follower.ready();

    assertThat(heartbeat.messages()).containsExactly(AppendResponse.accepted(N2, N1, 1, 2, 2, 7));
    assertThat(heartbeat.messagesAfterPersist()).isEmpty();
    assertThat(entries.messages()).isEmpty();
    assertThat(entries.messagesAfterPersist())
        .containsExactly(AppendResponse.accepted(N2, N1, 1, 3, 3, 8));
    assertThat(beyondCommit.messages()).as("at once, only what is committed: contact and round")
        .containsExactly(AppendResponse.accepted(N2, N1, 1, 2, 3, 9));
    assertThat(beyondCommit.messagesAfterPersist()).as("index 3 is not committed: durable first")
        .containsExactly(AppendResponse.accepted(N2, N1, 1, 3, 3, 9));
  }
}
