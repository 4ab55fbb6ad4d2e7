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

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.AppendResponse;
import dev.floe.raft.message.ForwardRequest;
import dev.floe.raft.message.ForwardResponse;
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.InstallSnapshotResponse;
import dev.floe.raft.message.LogEntries;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.ReadIndexRequest;
import dev.floe.raft.message.ReadIndexResponse;
import dev.floe.raft.message.TimeoutNow;
import dev.floe.raft.message.VoteRequest;
import dev.floe.raft.message.VoteResponse;
import dev.floe.raft.spi.MonotonicClock;
import dev.floe.raft.spi.TermAndVote;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.random.RandomGenerator;

/**
 * The Raft algorithm as a deterministic state machine: {@link #step(Event)} takes an event, {@link
 * #ready()} hands out the effects. It never reads the system clock, draws randomness of its own,
 * starts a thread or does I/O, so a run is a pure function of its events, its random source and
 * its clock's readings.
 *
 * <p>Not thread-safe: one thread steps it (the driver's event loop).
 *
 * <p>This class routes each event to the concern that handles it, with the rules that apply to
 * every message (a higher term makes any node a follower first). The concerns each have a file:
 * {@link Roles} (the moves between follower, candidate and leader), {@link Election} (with
 * pre-vote and the refusal to vote under a lease), {@link Replication} and {@link Progress} (the leader's), {@link FollowerLog} (the
 * follower's), {@link Commit}, {@link Reads} (ReadIndex and lease), {@link LeadershipTransfer},
 * {@link Membership}, {@link Snapshots} (and compaction), {@link Proposals} (client commands and
 * forwarding); {@link Leadership} ties the leader's together for one term. They share {@link
 * RaftState} and write their effects to one {@link Effects} buffer. Vocabulary follows the Raft
 * paper: term, votedFor, commitIndex, matchIndex, nextIndex.
 */
public final class RaftCore {
  private final RaftState s;
  private final Election election;
  private final Snapshots snapshots;
  private final LeadershipTransfer transfer;
  private final Proposals proposals;
  private final Roles roles;
  /** The term and vote as last handed out for saving. */
  private TermAndVote savedTermAndVote;

  /**
   * Creates a node's core from its recovered state.
   *
   * @param self this node
   * @param configuration the membership as of {@code snapshotIndex} (the founding membership if
   *     there is no snapshot; empty for a node that waits to be added to a running cluster); the
   *     configuration entries among {@code entries} take effect after it
   * @param config settings
   * @param termAndVote the recovered term and vote
   * @param snapshotIndex the index the latest snapshot covers (0 if none)
   * @param snapshotTerm the term at {@code snapshotIndex} (0 if none)
   * @param entries the recovered log entries after {@code snapshotIndex}
   * @param random the source of randomness for election timeouts
   * @param clock the node's monotonic clock, which leases and the refusal to vote are measured with
   */
  public RaftCore(NodeId self, Configuration configuration, CoreConfig config,
      TermAndVote termAndVote, long snapshotIndex, long snapshotTerm, List<LogEntry> entries,
      RandomGenerator random, MonotonicClock clock) {
    this(self, config, termAndVote, snapshotIndex,
        new RaftLog(snapshotIndex, snapshotTerm, configuration, entries), random, clock);
  }

  /**
   * Creates a node's core as the other constructor does, but reads the entries {@code
   * snapshotIndex + 1 .. lastIndex} through {@code reader} and keeps only a tail of the log in
   * memory: those not yet applied or handed to the store, and on a leader at most {@link
   * CoreConfig#logCacheBytes()} of applied entries that a follower lacks.
   *
   * @param self this node
   * @param configuration the membership as of {@code snapshotIndex}
   * @param config settings
   * @param termAndVote the recovered term and vote
   * @param snapshotIndex the index the latest snapshot covers (0 if none)
   * @param snapshotTerm the term at {@code snapshotIndex} (0 if none)
   * @param lastIndex the last index of the recovered log
   * @param reader the node's log store, which must see every entry handed to it at once
   * @param random the source of randomness for election timeouts
   * @param clock the node's monotonic clock
   */
  public RaftCore(NodeId self, Configuration configuration, CoreConfig config,
      TermAndVote termAndVote, long snapshotIndex, long snapshotTerm, long lastIndex,
      EntryReader reader, RandomGenerator random, MonotonicClock clock) {
    this(self, config, termAndVote, snapshotIndex, new RaftLog(snapshotIndex, snapshotTerm,
        configuration, lastIndex, reader, config.logCacheBytes()), random, clock);
  }

  private RaftCore(NodeId self, CoreConfig config, TermAndVote termAndVote, long snapshotIndex,
      RaftLog log, RandomGenerator random, MonotonicClock clock) {
    this.s = new RaftState(self, config, clock, log, termAndVote, snapshotIndex);
    this.savedTermAndVote = termAndVote;
    this.election = new Election(s, random);
    this.snapshots = new Snapshots(s, snapshotIndex);
    this.transfer = new LeadershipTransfer(s);
    this.proposals = new Proposals(s, transfer);
    this.roles = new Roles(s, election, snapshots, transfer);
  }

  // ---------------------------------------------------------------- accessors

  public NodeId id() {
    return s.self;
  }

  public Role role() {
    return s.role;
  }

  public long term() {
    return s.term;
  }

  /** The leader of the current term if known, else {@code null}. */
  public NodeId leader() {
    return s.leader;
  }

  /**
   * Whether a leader of this node's term is known and has committed an entry of its term, so that
   * it takes writes and serves linearizable reads at once.
   */
  public boolean hasLeaderThatTakesWrites() {
    return s.leader != null && s.log.term(s.commitIndex) == s.term;
  }

  public long commitIndex() {
    return s.commitIndex;
  }

  /** The index through which committed entries (or a snapshot) went to the state machine. */
  public long handedToApplyIndex() {
    return s.handedToApplyIndex;
  }

  public long appliedIndex() {
    return s.appliedIndex;
  }

  public long lastIndex() {
    return s.log.lastIndex();
  }

  /** The voting members of the configuration in effect, in id order. */
  public SortedSet<NodeId> voters() {
    return s.configuration().voters();
  }

  /**
   * The configuration in effect: that of the last configuration entry in the log, committed or
   * not (a configuration takes effect when appended, thesis §4.1).
   */
  public Configuration configuration() {
    return s.configuration();
  }

  /** The index of the entry holding {@link #configuration()} (at most the log's base). */
  public long configurationIndex() {
    return s.log.configurationIndex();
  }

  /** The in-memory log, for this package's tests. */
  RaftLog log() {
    return s.log;
  }

  /**
   * While leading: the voter to hand leadership to when this node stops (the most up-to-date one,
   * if it answered recently), else {@code null}.
   */
  public NodeId successor() {
    Leadership leadership = roles.leadership();
    return leadership == null ? null : leadership.liveSuccessor();
  }

  /** While leading: each follower's time since its last answer, in ns; else an empty map. */
  public Map<NodeId, Long> silenceNanos() {
    Leadership leadership = roles.leadership();
    return leadership == null ? Map.of() : leadership.silenceNanos();
  }

  /** While leading: each member's match index (this node's own included), else an empty map. */
  public Map<NodeId, Long> matchIndexes() {
    Leadership leadership = roles.leadership();
    return leadership == null ? Map.of() : leadership.matchIndexes();
  }

  // ---------------------------------------------------------------- events

  /** Feeds one event to the algorithm. */
  public void step(Event event) {
    if (event instanceof Event.Tick) {
      tick();
    } else if (event instanceof Event.Receive r) {
      receive(r.message());
    } else if (event instanceof Event.Propose p) {
      proposals.propose(p.proposals(), p.settledBelow(), roles.leadership());
    } else if (event instanceof Event.Applied a) {
      s.appliedIndex = Math.max(s.appliedIndex, Math.min(a.index(), s.commitIndex));
    } else if (event instanceof Event.TransferLeadership t) {
      if (roles.leadership() != null) {
        roles.leadership().startTransfer(t.requestId(), t.target());
      } else {
        refuseNotLeader(t.requestId());
      }
    } else if (event instanceof Event.ReadIndex r) {
      Reads.request(s, roles.leadership(), r.requestId(), s.self);
    } else if (event instanceof Event.SnapshotTaken t) {
      snapshots.onTaken(t);
    } else if (event instanceof Event.SnapshotInstalled i) {
      snapshots.onInstalled(i.index(), i.term(), Configuration.decode(i.configuration()));
    } else if (event instanceof Event.LeaseRead r) {
      Reads.leaseRead(s, roles.leadership(), r.requestId());
    } else if (event instanceof Event.ChangeMembership c) {
      if (roles.leadership() != null) {
        roles.leadership().queueChange(c);
      } else {
        refuseNotLeader(c.requestId());
      }
    }
    followConfiguration();
    if (roles.leadership() != null && roles.leadership().handOverIfRemoved()) {
      // A removed leader is no voter any more, so it never campaigns again.
      roles.becomeFollower(s.term, null, RoleChange.Reason.REMOVED);
    }
  }

  private void refuseNotLeader(long requestId) {
    s.out.answer(new Outcome.Rejected(requestId, Outcome.Refusal.NOT_LEADER, s.leader,
        "not the leader"));
  }

  private void followConfiguration() {
    if (roles.leadership() != null) {
      roles.leadership().followConfiguration();
    }
  }

  /** Takes the effects produced since the last call. */
  public Ready ready() {
    if (roles.leadership() != null) {
      roles.leadership().flush();
    }
    followConfiguration();
    TermAndVote tv = new TermAndVote(s.term, s.votedFor);
    TermAndVote toSave = tv.equals(savedTermAndVote) ? null : tv;
    savedTermAndVote = tv;
    long truncateFrom = s.log.pendingTruncateFrom();
    List<LogEntry> entries = s.log.hasUnstable() ? s.log.takeUnstable() : LogEntries.of();
    if (s.role == Role.LEADER && !entries.isEmpty()) {
      // The leader counts its own copy only once it is durable (its write runs beside replication).
      s.out.sendAfterPersist(AppendResponse.accepted(
          s.self, s.self, s.term, s.log.lastIndex(), s.log.lastIndex(), 0));
    }
    List<LogEntry> committed = ApplyHandOff.next(s);
    // A leader keeps what a follower has not acknowledged; no other node keeps applied entries.
    Leadership leadership = roles.leadership();
    s.log.trimTail(s.appliedIndex,
        leadership == null ? Long.MAX_VALUE : leadership.lowestFollowerMatch());
    return s.out.drain(toSave, truncateFrom, entries, committed);
  }

  // ---------------------------------------------------------------- time

  private void tick() {
    if (roles.leadership() != null) {
      if (roles.leadership().tick()) {
        // Check-quorum failed: stop leading (same term) so that the reachable majority may elect.
        roles.becomeFollower(s.term, null, RoleChange.Reason.CHECK_QUORUM);
      }
      return;
    }
    boolean timedOut = election.tick();
    transfer.tickAwaiting();
    if (timedOut && s.mayCampaign()) {
      roles.campaign(s.config.preVote(), false, RoleChange.Reason.ELECTION_TIMEOUT);
    }
  }

  // ---------------------------------------------------------------- messages

  private void receive(RaftMessage m) {
    if (!m.to().equals(s.self)) {
      return;
    }
    // Client-side messages carry no authority over terms; they are answered whatever the term.
    if (m instanceof ForwardRequest f) {
      proposals.onForward(f, roles.leadership());
      return;
    }
    if (m instanceof ForwardResponse f) {
      proposals.onForwardResponse(f);
      return;
    }
    if (m instanceof ReadIndexRequest r) {
      Reads.request(s, roles.leadership(), r.requestId(), r.from());
      return;
    }
    if (m instanceof ReadIndexResponse r) {
      Reads.onResponse(s, r);
      return;
    }
    if (m instanceof VoteRequest v && election.ignores(v)) {
      return;
    }
    if (m.term() > s.term && !roles.adoptTerm(m)) {
      return;
    }
    if (m.term() < s.term) {
      onStaleTerm(m);
      return;
    }
    dispatch(m);
  }

  private void dispatch(RaftMessage m) {
    if (m instanceof VoteRequest v) {
      election.onVoteRequest(v);
    } else if (m instanceof VoteResponse r) {
      VoteTally.Result result = election.onVoteResponse(r);
      if (result != null) {
        roles.onTally(result);
      }
    } else if (m instanceof AppendRequest a) {
      followLeader(a.from(), "AppendEntries");
      FollowerLog.accept(s, a);
    } else if (m instanceof AppendResponse r) {
      if (roles.leadership() != null) {
        roles.leadership().onAppendResponse(r);
      }
    } else if (m instanceof TimeoutNow) {
      if (s.role == Role.FOLLOWER && s.mayCampaign()) {
        roles.campaign(false, true, RoleChange.Reason.LEADERSHIP_TRANSFER);
      }
    } else if (m instanceof InstallSnapshotRequest r) {
      followLeader(r.from(), "InstallSnapshot");
      snapshots.onChunk(r);
    } else if (m instanceof InstallSnapshotResponse r) {
      if (roles.leadership() != null) {
        roles.leadership().onSnapshotResponse(r);
      }
    }
  }

  /** A leader's request of this node's term: this node follows it and heard from it now. */
  private void followLeader(NodeId from, String what) {
    if (s.role == Role.LEADER) {
      throw new IllegalStateException(
          "two leaders in term " + s.term + ": " + s.self + " and " + from + " (" + what + ")");
    }
    if (s.role == Role.CANDIDATE) {
      roles.becomeFollower(s.term, from, RoleChange.Reason.LEADER_DISCOVERED);
    }
    if (!from.equals(s.leader)) {
      roles.setLeader(from);
      // A follower that learns its term's leader says so: the listener and the leader-change
      // count see a leader that took over within the term (after a transfer, say).
      s.out.roleChanged(
          new RoleChange(Role.FOLLOWER, s.term, from, RoleChange.Reason.LEADER_DISCOVERED));
    }
    election.heardFromLeader();
  }

  private void onStaleTerm(RaftMessage m) {
    if (m instanceof AppendRequest || m instanceof InstallSnapshotRequest) {
      // Tell a deposed leader the newer term so it steps down (needed with check-quorum and
      // pre-vote, where a higher term no longer reaches it through vote requests).
      s.out.send(AppendResponse.staleTerm(s.self, m.from(), s.term, s.log.lastIndex()));
    } else if (m instanceof VoteRequest v && v.preVote()) {
      s.out.send(new VoteResponse(s.self, v.from(), s.term, false, true));
    }
  }

  @Override
  public String toString() {
    return s.self + "[" + s.role + " term=" + s.term + " leader=" + s.leader + " commit="
        + s.commitIndex + " last=" + s.log.lastIndex() + "]";
  }
}
