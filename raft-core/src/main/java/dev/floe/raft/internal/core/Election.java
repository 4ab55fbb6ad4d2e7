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

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.VoteRequest;
import dev.floe.raft.message.VoteResponse;
import java.util.SortedSet;
import java.util.random.RandomGenerator;

/**
 * Elections (Raft §5.2) with pre-vote (thesis §9.6): the election timer, campaigning, granting
 * votes, counting them, and the refusal to vote while a leader may hold a lease.
 *
 * <p>{@link RaftCore} changes the role and the term; this class decides when to campaign, asks for
 * votes, answers vote requests and tallies the answers, and says who won.
 */
final class Election {
  private final RaftState s;
  private final RandomGenerator random;
  /** Ticks since the timer was last reset. */
  private int elapsedTicks;
  /** The timeout drawn at the last reset, in {@code [electionTicksMin, electionTicksMax)}. */
  private int timeoutTicks;
  /**
   * When this node last heard from a leader (its clock's reading). It starts as the moment the core
   * was created: a node that restarts may have heard from a leader just before, so it refuses votes
   * for a minimum election timeout from its start too, or that leader's lease would not hold.
   */
  private long leaderContactNanos;
  /** The votes of the campaign under way, or {@code null}. */
  private VoteTally tally;

  Election(RaftState s, RandomGenerator random) {
    this.s = s;
    this.random = random;
    this.leaderContactNanos = s.now();
    resetTimer();
  }

  void resetTimer() {
    elapsedTicks = 0;
    timeoutTicks = s.config.electionTicksMin()
        + random.nextInt(s.config.electionTicksMax() - s.config.electionTicksMin());
  }

  /** A tick passed on a node that does not lead; returns whether it should campaign now. */
  boolean tick() {
    elapsedTicks++;
    return elapsedTicks >= timeoutTicks;
  }

  /** A message from the leader of this term: its lease may count on this node from now on. */
  void heardFromLeader() {
    leaderContactNanos = s.now();
    resetTimer();
  }

  /**
   * Whether a leader may hold a lease that counts on this node: it heard from one, or started, less
   * than a minimum election timeout ago. Measured with the clock, not in ticks: ticks may run late,
   * and an election timer's first tick may come early, so a node that already campaigns (its own
   * timer fired) still refuses others until the time is up.
   */
  boolean inLeaderLease() {
    return s.now() - leaderContactNanos < s.config.electionTimeoutMinNanos();
  }

  /**
   * Whether this node drops a vote request unanswered.
   *
   * <ul>
   *   <li>A node with no configuration yet waits to join and has not heard from the cluster: its
   *       data directory may have been wiped since it last voted, so its vote could repeat one it
   *       gave in the same term before (a node must be removed before it is wiped and added
   *       again: see the operations guide).
   *   <li>A request from a node that is not a voter here comes from a node that was removed (and
   *       missed it) or from a voter of a configuration this node has not received yet. While a
   *       leader is alive (this node leads, or heard from the leader less than a minimum election
   *       timeout ago) it is dropped, so a removed node cannot disturb the cluster. Otherwise it is
   *       answered as any other: a voter that lags behind a membership change must still give its
   *       vote to the newer voters, or they may never elect a leader.
   * </ul>
   */
  boolean ignores(VoteRequest v) {
    if (s.configuration().isEmpty()) {
      return true;
    }
    if (s.isVoter(v.from())) {
      return false;
    }
    return s.role == Role.LEADER || inLeaderLease();
  }

  /**
   * Whether a vote request of a higher term is refused, its term not taken on, because a leader
   * may be alive (§4.2.3): a (possibly removed or partitioned) node must not depose it. A refused
   * pre-vote is answered; a transfer's vote is not held off.
   */
  boolean heldOffByLease(VoteRequest v) {
    // A leader with check-quorum holds its own lease: it steps down by itself once a majority
    // stops answering, so while it leads, a rejoining node's (pre-)vote must not depose it.
    boolean leaseHeld = inLeaderLease() || (s.role == Role.LEADER && s.config.checkQuorum());
    boolean heldOff = !v.leadershipTransfer() && (v.preVote() || s.config.checkQuorum())
        && leaseHeld;
    if (heldOff && v.preVote()) {
      s.out.send(new VoteResponse(s.self, v.from(), s.term, false, true));
    }
    return heldOff;
  }

  /**
   * Asks for votes once {@link RaftCore} made this node a candidate (for a real vote, in its new
   * term, having voted for itself).
   *
   * @return the tally after this node's own pre-vote, or {@code PENDING} for a real vote (its own
   *     counts only once durable, when it comes back as a response)
   */
  VoteTally.Result start(boolean preVote, boolean leadershipTransfer) {
    resetTimer();
    long campaignTerm = preVote ? s.term + 1 : s.term;
    SortedSet<NodeId> voters = s.configuration().voters();
    tally = new VoteTally(preVote, voters);
    for (NodeId voter : voters) {
      if (!voter.equals(s.self)) {
        s.out.send(new VoteRequest(s.self, voter, campaignTerm, s.log.lastIndex(),
            s.log.lastTerm(), preVote, leadershipTransfer));
      }
    }
    if (preVote) {
      // A pre-vote changes nothing durable, so this node's own counts at once.
      return tally.record(s.self, true);
    }
    // A real vote for itself counts only once the term and vote are durable.
    s.out.sendAfterPersist(new VoteResponse(s.self, s.self, s.term, true, false));
    return VoteTally.Result.PENDING;
  }

  /** Whether the campaign under way is a pre-vote. */
  boolean preVoting() {
    return tally != null && tally.preVote();
  }

  /** The campaign ended (won, lost, or a leader appeared). */
  void end() {
    tally = null;
  }

  /**
   * Counts an answer to this node's campaign.
   *
   * @return the tally, or {@code null} if the answer belongs to no campaign under way
   */
  VoteTally.Result onVoteResponse(VoteResponse r) {
    if (tally == null) {
      return null;
    }
    // A granted pre-vote echoes the campaign term; a refusal carries the voter's own term, which
    // (being not higher, or it would have made this node a follower) is this node's term.
    boolean matches = r.preVote()
        ? tally.preVote() && r.term() == (r.granted() ? s.term + 1 : s.term)
        : !tally.preVote() && r.term() == s.term;
    return matches ? tally.record(r.from(), r.granted()) : null;
  }

  /** Answers a vote request of a term not lower than this node's (already adopted if higher). */
  void onVoteRequest(VoteRequest v) {
    boolean upToDate = s.log.isUpToDate(v.lastLogIndex(), v.lastLogTerm());
    if (v.preVote()) {
      boolean grant = v.term() > s.term && upToDate;
      s.out.send(new VoteResponse(s.self, v.from(), grant ? v.term() : s.term, grant, true));
      return;
    }
    boolean canVote = s.votedFor != null ? s.votedFor.equals(v.from()) : s.leader == null;
    if (canVote && upToDate) {
      s.votedFor = v.from();
      resetTimer();
      // The vote leaves only once it is durable, so a restart in this term cannot vote twice.
      s.out.sendAfterPersist(new VoteResponse(s.self, v.from(), s.term, true, false));
    } else {
      s.out.send(new VoteResponse(s.self, v.from(), s.term, false, false));
    }
  }
}
