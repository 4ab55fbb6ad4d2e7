package dev.floe.raft.core;

import dev.floe.raft.Configuration;
import dev.floe.raft.NodeId;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.AppendResponse;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.TimeoutNow;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * A leader's bookkeeping for one term: each member's {@link Progress}, the commit rule, heartbeats
 * and check-quorum, pending linearizable reads, and a leadership transfer in progress.
 */
final class LeaderState {
  private final RaftCore core;
  private final RaftLog log;
  private final CoreConfig config;
  private final NodeId self;
  /** The voters of the configuration in effect (the last in the log), kept in step by {@link #syncMembers}. */
  private SortedSet<NodeId> voters;
  /** Every member's progress, and this node's own (even when it is not a member). */
  private final TreeMap<NodeId, Progress> progress = new TreeMap<>();
  private final long term;

  private long round;
  /** Heartbeat intervals a snapshot transfer may go unanswered before it is started over. */
  private static final int SNAPSHOT_SILENT_HEARTBEATS = 20;
  /** Ticks since this node became leader: the clock of membership catch-up deadlines. */
  private long ticks;
  /**
   * When (the node's clock) each recent heartbeat round started: the start of the lease that a
   * majority's answers to the round grant. Round 0 starts when leadership does.
   */
  private final TreeMap<Long, Long> roundStartNanos = new TreeMap<>();
  /**
   * Whether this leader told a node to campaign at once (TimeoutNow) in this term. That message may
   * arrive at any time, even after the transfer was given up, and the election it starts does not
   * wait for leases to end; so from then on this leader serves no read from its lease.
   */
  private boolean leaseForfeited;
  private int heartbeatElapsed;
  private int quorumCheckElapsed;
  private boolean appended;

  private final ArrayDeque<PendingRead> readsAwaitingCommit = new ArrayDeque<>();
  private final ArrayDeque<PendingRead> readsAwaitingQuorum = new ArrayDeque<>();

  /** Forwarded requests appended in this term, per sender: a duplicate gets the same index. */
  private final TreeMap<NodeId, ForwardedRequests> forwarded = new TreeMap<>();

  private NodeId transferTarget;
  private long transferRequestId;
  private int transferElapsed;

  /** Membership changes waiting their turn: one is proposed at a time, in order. */
  private final ArrayDeque<PendingChange> changes = new ArrayDeque<>();

  private record PendingRead(long requestId, NodeId origin, long readIndex, long round) {}

  /**
   * A requested membership change; {@code waitStartTick} is when it began waiting for catch-up, and
   * {@code learnerAppended} whether this leader appended the learner step of an ADD_VOTER.
   */
  private static final class PendingChange {
    final Event.ChangeMembership request;
    long waitStartTick = -1;
    boolean learnerAppended;

    PendingChange(Event.ChangeMembership request) {
      this.request = request;
    }
  }

  LeaderState(RaftCore core, CoreConfig config, NodeId self) {
    this.core = core;
    this.log = core.log;
    this.config = config;
    this.self = self;
    this.term = core.currentTerm();
    progress.put(self, new Progress(log.lastIndex() + 1, 0));
    roundStartNanos.put(0L, core.nowNanos());
    syncMembers();
  }

  /**
   * Follows the configuration in effect: a new member gets a fresh replication session, a departed
   * one loses its progress. A session starts with a new round, so that every request of the new
   * session carries a round later than any request of an earlier session to the same node.
   */
  void syncMembers() {
    Configuration c = log.configuration();
    voters = c.voters();
    boolean added = false;
    for (NodeId id : c.members()) {
      if (!progress.containsKey(id)) {
        progress.put(id, new Progress(log.lastIndex() + 1, round + 1));
        added = true;
      }
    }
    progress.keySet().removeIf(id -> !id.equals(self) && !c.contains(id));
    if (added) {
      newRound();
    }
    if (transferTarget != null && !voters.contains(transferTarget)) {
      core.addOutcome(new Outcome.Rejected(
          transferRequestId, self, transferTarget + " is no longer a voting member"));
      transferTarget = null;
    }
  }

  Map<NodeId, Long> matchIndexes() {
    TreeMap<NodeId, Long> out = new TreeMap<>();
    progress.forEach((id, p) -> out.put(id, p.match));
    return out;
  }

  /** Why proposals are refused now, or {@code null} if they are taken. */
  String refusal() {
    return transferTarget == null ? null : "a leadership transfer to " + transferTarget + " is in progress";
  }

  /**
   * The index a forwarded request was appended at in this term, 0 if it was not, or -1 if its
   * sender has settled it (a late copy, to be dropped unanswered).
   */
  long forwardedIndex(dev.floe.raft.message.ForwardRequest f) {
    ForwardedRequests seen = forwarded.get(f.from());
    return seen == null ? 0 : seen.indexOf(f.requestId(), f.settledBelow());
  }

  void rememberForwarded(dev.floe.raft.message.ForwardRequest f, long index) {
    forwarded.computeIfAbsent(f.from(), k -> new ForwardedRequests()).remember(f.requestId(), f.settledBelow(), index);
  }

  void markAppended() {
    appended = true;
  }

  // ---------------------------------------------------------------- replication

  /** Sends what each follower lacks, as far as its window allows. */
  void broadcastAppend() {
    progress.forEach(
        (id, p) -> {
          if (!id.equals(self)) {
            sendAppends(id, p);
          }
        });
  }

  private void sendAppends(NodeId to, Progress p) {
    if (p.state == Progress.State.SNAPSHOT) {
      return;
    }
    if (p.state == Progress.State.PROBE) {
      sendAppend(to, p, true);
      return;
    }
    while (sendAppend(to, p, false)) {
      // fill the pipeline window
    }
  }

  /** Sends one AppendEntries from {@code p.next}; returns whether it carried entries. */
  private boolean sendAppend(NodeId to, Progress p, boolean allowEmpty) {
    if (p.state == Progress.State.SNAPSHOT) {
      return false;
    }
    if (p.state == Progress.State.PROBE ? p.probeSent
        : p.inflightFull(config.maxInflightAppends(), config.maxInflightBytes())) {
      return false;
    }
    long prev = p.next - 1;
    long prevTerm = log.term(prev);
    if (prevTerm < 0) {
      startSnapshot(to, p); // the entries it needs are compacted away
      return false;
    }
    List<LogEntry> entries = log.slice(p.next, config.maxEntriesPerAppend(), config.maxBytesPerAppend());
    if (entries.isEmpty() && !allowEmpty) {
      return false;
    }
    send(to, p, prev, prevTerm, entries);
    if (p.state == Progress.State.PROBE) {
      p.probeSent = true;
    } else if (!entries.isEmpty()) {
      long last = entries.get(entries.size() - 1).index();
      long bytes = 0;
      for (LogEntry e : entries) {
        bytes += e.sizeInBytes();
      }
      p.next = last + 1;
      p.addInflight(last, bytes);
    }
    return !entries.isEmpty();
  }

  private void startSnapshot(NodeId to, Progress p) {
    if (core.snapshotIndex() == 0) {
      throw new IllegalStateException("the log is compacted but there is no snapshot for " + to);
    }
    p.becomeSnapshot();
    core.sendSnapshot(to, p.sessionRound);
  }

  /** A follower answered a snapshot chunk: once it installed the snapshot, replicate after it. */
  void onSnapshotResponse(dev.floe.raft.message.InstallSnapshotResponse r) {
    Progress p = progress.get(r.from());
    if (p == null || r.round() < p.sessionRound) {
      return; // not a member, or an answer from an earlier replication session
    }
    p.recentActive = true;
    p.snapshotSilentHeartbeats = 0;
    if (r.done()) {
      p.acknowledge(r.snapshotIndex());
      if (p.state != Progress.State.REPLICATE) {
        p.becomeProbe();
        sendAppends(r.from(), p);
      }
    }
  }

  /** An empty AppendEntries at the follower's match point: carries commit and round, never rejected. */
  private void sendHeartbeat(NodeId to, Progress p) {
    long prevTerm = log.term(p.match);
    if (prevTerm < 0) {
      return;
    }
    send(to, p, p.match, prevTerm, List.of());
  }

  private void send(NodeId to, Progress p, long prev, long prevTerm, List<LogEntry> entries) {
    long commit = core.commitIndex();
    core.addMessage(new AppendRequest(self, to, term, prev, prevTerm, entries, commit, round));
    p.lastSentRound = round;
    // What the follower can adopt from this request: min(leaderCommit, last index it confirms).
    p.lastSentCommit = Math.min(commit, prev + entries.size());
  }

  void onAppendResponse(AppendResponse r) {
    Progress p = progress.get(r.from());
    if (p == null || r.round() < p.sessionRound) {
      return; // not a member, or an answer from an earlier replication session
    }
    p.recentActive = true;
    if (r.round() > p.ackedRound) {
      p.ackedRound = r.round();
      serveConfirmedReads();
    }
    if (r.success()) {
      boolean grew = p.acknowledge(r.matchIndex());
      if (p.state == Progress.State.PROBE) {
        // A success ends the probe, even one that confirms no more than was known (as after a
        // snapshot install): staying in PROBE would answer every success with another probe.
        p.becomeReplicate();
      }
      if (grew) {
        p.matchRound = round;
        maybeCommit();
        maybeSendTimeoutNow(r.from(), p);
      }
      if (!r.from().equals(self)) {
        sendAppends(r.from(), p);
      }
      return;
    }
    if (r.rejectedIndex() <= p.match) {
      if (r.lastLogIndex() < p.match && r.round() > p.matchRound) {
        // The follower lost entries it had acknowledged (its disk was wiped). Start over with it.
        // Only an answer to a request sent after match grew shows that: an older rejection,
        // delayed or duplicated, predates the acknowledgement and must not lower match.
        p.match = 0;
        p.becomeProbe();
        p.next = r.lastLogIndex() + 1;
        sendAppends(r.from(), p);
      }
      return; // a stale rejection, for a request older than what is known to match
    }
    if (p.state == Progress.State.REPLICATE || r.rejectedIndex() == p.next - 1) {
      long next = nextFromHint(r);
      p.becomeProbe();
      p.next = Math.max(p.match + 1, Math.min(next, r.rejectedIndex()));
      sendAppends(r.from(), p);
    }
  }

  /** Fast backtracking: skip a whole conflicting term per round trip (thesis §5.3 note). */
  private long nextFromHint(AppendResponse r) {
    if (r.conflictTerm() == 0) {
      return r.conflictIndex();
    }
    long lastOfTerm = log.lastIndexOfTerm(r.conflictTerm());
    return lastOfTerm >= 0 ? lastOfTerm + 1 : r.conflictIndex();
  }

  private void maybeCommit() {
    long[] matches = new long[voters.size()];
    int i = 0;
    for (NodeId v : voters) {
      matches[i++] = progress.get(v).match;
    }
    long index = Quorum.committedIndex(matches);
    // Figure 8: count replicas only for an entry of this term; earlier ones commit with it.
    if (index > core.commitIndex() && log.term(index) == term) {
      core.advanceCommit(index);
      while (!readsAwaitingCommit.isEmpty()) {
        PendingRead r = readsAwaitingCommit.poll();
        startRead(r.requestId(), r.origin());
      }
    }
  }

  /** Carries out what the events of this step left pending: new entries, commit, read rounds. */
  void flush() {
    maybeChangeMembership();
    if (appended) {
      appended = false;
      broadcastAppend();
    }
    long commit = core.commitIndex();
    progress.forEach(
        (id, p) -> {
          if (id.equals(self)) {
            return;
          }
          // A heartbeat goes at match, so it can carry the commit index only up to match.
          if (p.lastSentRound < round || p.lastSentCommit < Math.min(commit, p.match)) {
            if (p.state == Progress.State.PROBE) {
              sendAppend(id, p, true);
            } else {
              sendHeartbeat(id, p);
            }
          }
        });
  }

  // ---------------------------------------------------------------- time

  void tick() {
    ticks++;
    heartbeatElapsed++;
    quorumCheckElapsed++;
    if (transferTarget != null && ++transferElapsed >= config.electionTicksMin()) {
      core.addOutcome(
          new Outcome.Rejected(
              transferRequestId, self, transferTarget + " did not take over within an election timeout"));
      transferTarget = null;
    }
    if (quorumCheckElapsed >= config.electionTicksMin()) {
      quorumCheckElapsed = 0;
      if (config.checkQuorum() && !quorumActive()) {
        core.stepDownInCurrentTerm();
        return;
      }
    }
    if (heartbeatElapsed >= config.heartbeatTicks()) {
      heartbeatElapsed = 0;
      heartbeat();
    }
  }

  private boolean quorumActive() {
    int active = 0;
    for (NodeId v : voters) {
      Progress p = progress.get(v);
      if (v.equals(self) || p.recentActive) {
        active++;
      }
      p.recentActive = false;
    }
    return active >= Quorum.majority(voters.size());
  }

  /** Starts a heartbeat round; answers to requests of this round or later confirm leadership. */
  private void newRound() {
    round++;
    roundStartNanos.put(round, core.nowNanos());
    long oldestNeeded = round;
    for (NodeId v : voters) {
      if (!v.equals(self)) {
        oldestNeeded = Math.min(oldestNeeded, progress.get(v).ackedRound);
      }
    }
    roundStartNanos.headMap(oldestNeeded).clear();
  }

  /**
   * Whether the leader's lease holds (thesis §6.4.1): a majority answered a round that started less
   * than {@link CoreConfig#leaseNanos()} ago by this node's clock. Followers that heard from this
   * leader ignore vote requests for a minimum election timeout after (check-quorum), and so does a
   * node that restarted, so no other leader can exist before the lease ends. It never holds during
   * a transfer, nor for the rest of the term once a TimeoutNow was sent, since its target is told
   * to campaign without waiting.
   */
  boolean leaseValid() {
    if (!config.checkQuorum() || transferTarget != null || leaseForfeited
        || log.term(core.commitIndex()) != term) {
      return false;
    }
    long[] acked = new long[voters.size()];
    int i = 0;
    for (NodeId v : voters) {
      acked[i++] = v.equals(self) ? round : progress.get(v).ackedRound;
    }
    Long start = roundStartNanos.get(Quorum.committedIndex(acked));
    return start != null && core.nowNanos() - start < config.leaseNanos();
  }

  private void heartbeat() {
    newRound();
    progress.forEach(
        (id, p) -> {
          if (id.equals(self)) {
            return;
          }
          if (p.state == Progress.State.SNAPSHOT) {
            // The driver streams the snapshot; if the follower stays silent, start over.
            if (++p.snapshotSilentHeartbeats > SNAPSHOT_SILENT_HEARTBEATS) {
              p.becomeProbe();
              sendAppend(id, p, true);
            }
          } else if (p.state == Progress.State.PROBE) {
            p.probeSent = false;
            sendAppend(id, p, true);
          } else if (p.hasInflight() && p.match == p.matchAtLastHeartbeat) {
            // Nothing acknowledged for a whole heartbeat interval: a request was lost. Re-probe.
            p.becomeProbe();
            sendAppend(id, p, true);
          } else {
            sendHeartbeat(id, p);
          }
          p.matchAtLastHeartbeat = p.match;
        });
  }

  // ---------------------------------------------------------------- reads (ReadIndex, thesis §6.4)

  void requestRead(long requestId, NodeId origin) {
    if (log.term(core.commitIndex()) != term) {
      // Until its no-op commits, a new leader does not know the latest commit index.
      readsAwaitingCommit.add(new PendingRead(requestId, origin, 0, 0));
    } else {
      startRead(requestId, origin);
    }
  }

  private void startRead(long requestId, NodeId origin) {
    long readIndex = core.commitIndex();
    if (voters.size() == 1 && voters.contains(self)) {
      core.grantRead(requestId, origin, readIndex);
      return;
    }
    // A fresh round: only answers to requests sent from now on confirm leadership for this read.
    newRound();
    readsAwaitingQuorum.add(new PendingRead(requestId, origin, readIndex, round));
  }

  private void serveConfirmedReads() {
    while (!readsAwaitingQuorum.isEmpty()) {
      PendingRead r = readsAwaitingQuorum.peek();
      int acks = 0;
      for (NodeId v : voters) {
        if (v.equals(self) || progress.get(v).ackedRound >= r.round()) {
          acks++;
        }
      }
      if (acks < Quorum.majority(voters.size())) {
        return;
      }
      readsAwaitingQuorum.poll();
      core.grantRead(r.requestId(), r.origin(), r.readIndex());
    }
  }

  // ---------------------------------------------------------------- membership (thesis §4.1)

  void queueChange(Event.ChangeMembership request) {
    changes.add(new PendingChange(request));
  }

  /**
   * Proposes the next queued membership change once the rules of single-server changes allow it:
   * an entry of this term is committed (so no change of an earlier leader is still pending), no
   * other change is uncommitted, and no transfer is under way. A voter is added as a learner first
   * and promoted only once it has caught up, so a slow newcomer never holds up commits.
   */
  private void maybeChangeMembership() {
    while (!changes.isEmpty()) {
      if (transferTarget != null || log.term(core.commitIndex()) != term
          || log.configurationIndex() > core.commitIndex()) {
        return;
      }
      PendingChange c = changes.peek();
      Event.ChangeMembership r = c.request;
      Configuration current = log.configuration();
      NodeId node = r.node();
      switch (r.kind()) {
        case ADD_LEARNER -> {
          changes.poll();
          if (current.contains(node) && current.address(node).orElse("").equals(r.address())) {
            core.addOutcome(new Outcome.Unchanged(r.requestId()));
            continue;
          }
          propose(r.requestId(), current.withLearner(node, r.address()));
          return;
        }
        case ADD_VOTER, PROMOTE -> {
          if (current.isVoter(node)) {
            changes.poll();
            core.addOutcome(new Outcome.Unchanged(r.requestId()));
            continue;
          }
          if (!current.isLearner(node)) {
            if (r.kind() == Event.MembershipChangeKind.PROMOTE) {
              changes.poll();
              core.addOutcome(new Outcome.Refused(r.requestId(), node + " is not a learner"));
              continue;
            }
            core.appendConfiguration(current.withLearner(node, r.address()));
            c.waitStartTick = ticks;
            c.learnerAppended = true;
            return; // promoted once the learner entry commits and the learner has caught up
          }
          if (c.waitStartTick < 0) {
            c.waitStartTick = ticks;
          }
          Progress p = progress.get(node);
          if (p.state == Progress.State.REPLICATE
              && p.match + config.promoteWithinEntries() >= log.lastIndex()) {
            changes.poll();
            propose(r.requestId(), current.withPromoted(node));
            return;
          }
          if (ticks - c.waitStartTick < config.catchUpTicks()) {
            return; // still catching up
          }
          changes.poll();
          core.addOutcome(new Outcome.Refused(r.requestId(), node + " did not catch up within "
              + config.catchUpTicks() + " ticks (it has " + p.match + " of " + log.lastIndex()
              + "); it stays a learner"));
        }
        case REMOVE -> {
          changes.poll();
          if (!current.contains(node)) {
            core.addOutcome(new Outcome.Unchanged(r.requestId()));
            continue;
          }
          if (current.isVoter(node) && current.voters().size() == 1) {
            core.addOutcome(new Outcome.Refused(r.requestId(), "cannot remove the last voter"));
            continue;
          }
          propose(r.requestId(), current.without(node));
          return;
        }
        default -> throw new IllegalStateException("unknown change " + r.kind());
      }
    }
  }

  private void propose(long requestId, Configuration next) {
    long index = core.appendConfiguration(next);
    core.addOutcome(new Outcome.ProposalAccepted(requestId, index, term));
  }

  // ---------------------------------------------------------------- leadership transfer (§3.10)

  void startTransfer(long requestId, NodeId target) {
    if (transferTarget != null) {
      core.addOutcome(
          new Outcome.Rejected(requestId, self, "a transfer to " + transferTarget + " is in progress"));
      return;
    }
    NodeId chosen = target != null ? target : mostUpToDateFollower();
    if (chosen == null) {
      core.addOutcome(new Outcome.Rejected(requestId, self, "there is no other voter to take over"));
      return;
    }
    if (chosen.equals(self)) {
      core.addOutcome(new Outcome.TransferCompleted(requestId, self));
      return;
    }
    if (!voters.contains(chosen)) {
      core.addOutcome(new Outcome.Rejected(requestId, self, chosen + " is not a voting member"));
      return;
    }
    transferTarget = chosen;
    transferRequestId = requestId;
    transferElapsed = 0;
    Progress p = progress.get(chosen);
    maybeSendTimeoutNow(chosen, p);
    if (transferTarget != null && p.match < log.lastIndex()) {
      sendAppends(chosen, p); // bring the target up to date first
    }
  }

  /** The voter, other than this node, with the highest match index. */
  NodeId mostUpToDateFollower() {
    NodeId best = null;
    long bestMatch = -1;
    for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
      if (!e.getKey().equals(self) && voters.contains(e.getKey()) && e.getValue().match > bestMatch) {
        best = e.getKey();
        bestMatch = e.getValue().match;
      }
    }
    return best;
  }

  private void maybeSendTimeoutNow(NodeId id, Progress p) {
    if (id.equals(transferTarget) && p.match == log.lastIndex()) {
      leaseForfeited = true;
      core.addMessage(new TimeoutNow(self, id, term));
    }
  }

  /**
   * Ends this term's leadership: pending reads are refused; a transfer in progress is returned so
   * that the core can report it once the new leader shows itself.
   */
  RaftCore.PendingTransfer stepDown(NodeId newLeader) {
    for (PendingRead r : readsAwaitingCommit) {
      core.refuseRead(r.requestId(), r.origin(), "leadership was lost");
    }
    for (PendingRead r : readsAwaitingQuorum) {
      core.refuseRead(r.requestId(), r.origin(), "leadership was lost");
    }
    readsAwaitingCommit.clear();
    readsAwaitingQuorum.clear();
    for (PendingChange c : changes) {
      // A voter's learner step may be in the log already (and commit under the next leader).
      core.addOutcome(c.learnerAppended
          ? new Outcome.Unknown(c.request.requestId(), "leadership was lost after " + c.request.node()
              + " was appended as a learner, before it was promoted: it may be a learner now")
          : new Outcome.Rejected(c.request.requestId(), newLeader,
              "leadership was lost before the change was proposed"));
    }
    changes.clear();
    return transferTarget == null ? null : new RaftCore.PendingTransfer(transferRequestId, transferTarget);
  }
}
