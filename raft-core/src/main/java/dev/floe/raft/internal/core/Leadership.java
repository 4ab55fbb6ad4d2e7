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
import dev.floe.raft.message.AppendResponse;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.InstallSnapshotResponse;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.TimeoutNow;
import java.util.Map;
import java.util.Set;

/**
 * This node's leadership for one term: the leader's concerns ({@link Replication}, {@link Commit},
 * {@link Reads}, {@link Membership}, {@link Forwards}, and the long-lived {@link
 * LeadershipTransfer}) and the timers that drive them. It routes each event to the concerns in
 * turn and hands one's result to the next; none of them calls another.
 */
final class Leadership {
  private final RaftState s;
  private final Replication replication;
  private final Reads reads;
  private final Membership membership;
  private final Forwards forwards = new Forwards();
  private final LeadershipTransfer transfer;
  /** The configuration the concerns were last brought in step with. */
  private Configuration known;
  /** Ticks since this node became leader: the clock of membership catch-up deadlines. */
  private long ticks;
  private int heartbeatElapsed;
  private int quorumCheckElapsed;

  Leadership(RaftState s, Snapshots snapshots, LeadershipTransfer transfer) {
    this.s = s;
    this.transfer = transfer;
    this.replication = new Replication(s, snapshots);
    this.reads = new Reads(s);
    this.membership = new Membership(s);
    syncMembers();
    known = s.configuration();
  }

  Replication replication() {
    return replication;
  }

  Forwards forwards() {
    return forwards;
  }

  Map<NodeId, Long> matchIndexes() {
    return replication.matchIndexes();
  }

  /** The lowest match index of the other members ({@code Long.MAX_VALUE} if there are none). */
  long lowestFollowerMatch() {
    Configuration c = s.configuration();
    return Math.min(lowestMatch(c.voters()), lowestMatch(c.learners()));
  }

  private long lowestMatch(Set<NodeId> ids) {
    long lowest = Long.MAX_VALUE;
    for (NodeId id : ids) {
      Progress p = id.equals(s.self) ? null : replication.progress(id);
      lowest = p == null ? lowest : Math.min(lowest, p.match);
    }
    return lowest;
  }

  Map<NodeId, Long> silenceNanos() {
    return replication.silenceNanos();
  }

  /** Brings the concerns in step with the configuration in effect, if it changed. */
  void followConfiguration() {
    Configuration c = s.configuration();
    if (c != known) {
      known = c;
      syncMembers();
    }
  }

  private void syncMembers() {
    replication.syncMembers();
    transfer.membershipChanged(replication.voters());
  }

  // ---------------------------------------------------------------- time

  /**
   * A tick: the transfer deadline, check-quorum and heartbeats.
   *
   * @return whether this leader must step down (it did not hear from a majority within an
   *     election timeout)
   */
  boolean tick() {
    ticks++;
    heartbeatElapsed++;
    quorumCheckElapsed++;
    transfer.tickLeading();
    if (quorumCheckElapsed >= s.config.electionTicksMin()) {
      quorumCheckElapsed = 0;
      if (s.config.checkQuorum() && !replication.quorumActive()) {
        return true;
      }
    }
    if (heartbeatElapsed >= s.config.heartbeatTicks()) {
      heartbeatElapsed = 0;
      replication.heartbeat();
      if (transfer.inProgress()) {
        // A TimeoutNow may be lost (a connection still coming back): repeat it every heartbeat;
        // the target campaigns on the first, and a later copy is of a term it has left.
        maybeSendTimeoutNow(transfer.target());
      }
    }
    return false;
  }

  /** At the end of a step: a membership change whose turn came, then new entries and heartbeats. */
  void flush() {
    Membership.Proposal change =
        membership.next(transfer.inProgress(), ticks, replication::progress);
    if (change != null) {
      long index = appendConfiguration(change.next());
      if (!change.learnerStep()) {
        s.out.answer(new Outcome.ProposalAccepted(change.requestId(), index, s.term));
      }
    }
    replication.flush();
  }

  /** Appends a configuration entry; it takes effect at once (thesis §4.1). */
  private long appendConfiguration(Configuration next) {
    long index = s.log.lastIndex() + 1;
    s.log.append(new LogEntry(index, s.term, EntryType.CONFIGURATION, next.encode()));
    replication.markAppended();
    followConfiguration();
    return index;
  }

  // ---------------------------------------------------------------- answers

  void onAppendResponse(AppendResponse r) {
    Progress p = replication.accept(r);
    if (p == null) {
      return;
    }
    if (Rounds.confirm(p, r)) {
      reads.serveConfirmed(replication.confirmedRound());
    }
    if (!r.success()) {
      replication.onRejection(p, r);
      return;
    }
    if (replication.onSuccess(p, r)) {
      if (Commit.advance(s, replication.quorumMatch())) {
        for (Reads.Deferred d : reads.drainAwaitingCommit()) {
          startRead(d.requestId(), d.origin());
        }
      }
      maybeSendTimeoutNow(r.from());
    }
    replication.continueAfterSuccess(r);
  }

  void onSnapshotResponse(InstallSnapshotResponse r) {
    replication.onSnapshotResponse(r);
  }

  // ---------------------------------------------------------------- reads

  void requestRead(long requestId, NodeId origin) {
    if (!reads.deferUntilCommitted(requestId, origin)) {
      startRead(requestId, origin);
    }
  }

  private void startRead(long requestId, NodeId origin) {
    long readIndex = s.commitIndex;
    if (replication.voters().size() == 1 && replication.voters().contains(s.self)) {
      Reads.grant(s, requestId, origin, readIndex);
      return;
    }
    // A fresh round: only answers to requests sent from now on confirm leadership for this read.
    reads.awaitQuorum(requestId, origin, readIndex, replication.newRound());
  }

  NodeId liveSuccessor() {
    return replication.liveSuccessor();
  }

  boolean leaseValid() {
    return reads.leaseValid(transfer.inProgress(), replication.confirmedRoundStartNanos());
  }

  // ---------------------------------------------------------------- membership and transfer

  void queueChange(Event.ChangeMembership c) {
    membership.queue(c);
  }

  void startTransfer(long requestId, NodeId target) {
    NodeId chosen = target != null ? target : replication.mostUpToDateFollower();
    if (!transfer.begin(requestId, chosen, replication.voters())) {
      return;
    }
    maybeSendTimeoutNow(chosen);
    if (transfer.inProgress() && replication.progress(chosen).match < s.log.lastIndex()) {
      replication.sendAppends(chosen); // bring the target up to date first
    }
  }

  /** Tells the transfer's target to campaign once its log is the leader's. */
  private void maybeSendTimeoutNow(NodeId id) {
    if (transfer.isTarget(id) && replication.progress(id).match == s.log.lastIndex()) {
      reads.forfeitLease();
      s.out.send(new TimeoutNow(s.self, id, s.term));
    }
  }

  /**
   * A leader that removed itself leads until the removal commits, then hands over to the most
   * up-to-date voter (if its log is complete) and steps down (thesis §4.2.2).
   *
   * @return whether it must step down now
   */
  boolean handOverIfRemoved() {
    if (!Membership.removedSelfCommitted(s)) {
      return false;
    }
    NodeId successor = replication.mostUpToDateFollower();
    if (successor != null && replication.progress(successor).match == s.log.lastIndex()) {
      s.out.send(new TimeoutNow(s.self, successor, s.term));
    }
    return true;
  }

  /** Leadership ends: pending reads are refused and pending changes answered. */
  void stepDown(NodeId newLeader) {
    reads.refuseAll();
    membership.abandonAll(newLeader);
    transfer.steppedDown();
  }
}
