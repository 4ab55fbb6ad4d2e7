package dev.floe.raft.core;

import dev.floe.raft.Configuration;
import dev.floe.raft.NodeId;
import dev.floe.raft.Role;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.AppendResponse;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.ForwardRequest;
import dev.floe.raft.message.ForwardResponse;
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.InstallSnapshotResponse;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.ReadIndexRequest;
import dev.floe.raft.message.ReadIndexResponse;
import dev.floe.raft.message.TimeoutNow;
import dev.floe.raft.message.VoteRequest;
import dev.floe.raft.message.VoteResponse;
import dev.floe.raft.spi.MonotonicClock;
import dev.floe.raft.spi.TermAndVote;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.random.RandomGenerator;

/**
 * The Raft algorithm as a deterministic state machine: {@link #step(Event)} takes an event, {@link
 * #ready()} hands out the effects. It never reads a clock, draws randomness of its own, starts a
 * thread or does I/O, so a run is a pure function of its events and its random source.
 *
 * <p>Not thread-safe: one thread steps it (the driver's event loop).
 *
 * <p>Roles share this class's state; the leader's bookkeeping lives in {@link LeaderState} and
 * elections in {@link Election}. Vocabulary follows the Raft paper: term, votedFor, commitIndex,
 * matchIndex, nextIndex.
 */
public final class RaftCore {
  private final NodeId self;
  private final CoreConfig config;
  private final RandomGenerator random;
  private final MonotonicClock clock;
  final RaftLog log;
  /** The configuration in effect when last looked at, to notice changes. */
  private Configuration knownConfiguration;

  private long term;
  private NodeId votedFor;
  private TermAndVote savedTermAndVote;
  private Role role = Role.FOLLOWER;
  private NodeId leader;
  private long commitIndex;
  private long appliedIndex;
  private long applyHandedIndex;

  private int electionElapsed;
  private int randomizedElectionTimeout;
  /**
   * When this node last heard from a leader (its clock's reading). It starts as the moment the core
   * was created: a node that restarts may have heard from a leader just before, so it refuses votes
   * for a minimum election timeout from its start too, or that leader's lease would not hold.
   */
  private long leaderContactNanos;
  /** Non-null while campaigning (pre-vote or real). */
  private Election election;
  /** Non-null while leading. */
  private LeaderState leaderState;
  /** A transfer this node started as leader, awaiting the new leader's appearance. */
  private PendingTransfer steppedDownTransfer;

  private List<RaftMessage> messages = new ArrayList<>();
  private List<RaftMessage> messagesAfterPersist = new ArrayList<>();
  private List<Outcome> outcomes = new ArrayList<>();
  private List<Ready.SnapshotTarget> snapshotsToSend = new ArrayList<>();
  private List<InstallSnapshotRequest> snapshotChunks = new ArrayList<>();
  private long pendingResetLogTo;
  private long pendingCompactUpTo;
  /** The latest durable snapshot (0 if none): what a follower behind the log base is sent. */
  private long snapshotIndex;
  private long snapshotTerm;
  /** The round of the last snapshot chunk passed on for installing, echoed when it is installed. */
  private long installingRound;

  /**
   * Creates a node's core from its recovered state.
   *
   * @param self this node
   * @param configuration the membership as of {@code snapshotIndex} (the bootstrap membership if
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
  public RaftCore(
      NodeId self,
      Configuration configuration,
      CoreConfig config,
      TermAndVote termAndVote,
      long snapshotIndex,
      long snapshotTerm,
      List<LogEntry> entries,
      RandomGenerator random,
      MonotonicClock clock) {
    this.self = self;
    this.config = config;
    this.random = random;
    this.clock = clock;
    this.leaderContactNanos = clock.nanos();
    this.log = new RaftLog(snapshotIndex, snapshotTerm, configuration, entries);
    this.knownConfiguration = log.configuration();
    this.term = termAndVote.term();
    this.votedFor = termAndVote.votedFor();
    this.savedTermAndVote = termAndVote;
    this.commitIndex = snapshotIndex;
    this.appliedIndex = snapshotIndex;
    this.applyHandedIndex = snapshotIndex;
    this.snapshotIndex = snapshotIndex;
    this.snapshotTerm = snapshotTerm;
    resetElectionTimer();
  }

  // ---------------------------------------------------------------- accessors

  public NodeId id() {
    return self;
  }

  public Role role() {
    return role;
  }

  public long term() {
    return term;
  }

  /** The leader of the current term if known, else {@code null}. */
  public NodeId leader() {
    return leader;
  }

  public long commitIndex() {
    return commitIndex;
  }

  public long appliedIndex() {
    return appliedIndex;
  }

  public long lastIndex() {
    return log.lastIndex();
  }

  public long firstIndex() {
    return log.firstIndex();
  }

  /** The term of the entry at {@code index}, or -1 if this node does not hold it. */
  public long termAt(long index) {
    return log.term(index);
  }

  /** The voting members of the configuration in effect, in id order. */
  public SortedSet<NodeId> voters() {
    return log.configuration().voters();
  }

  /**
   * The configuration in effect: that of the last configuration entry in the log, committed or
   * not (a configuration takes effect when appended, thesis §4.1).
   */
  public Configuration configuration() {
    return log.configuration();
  }

  /** The index of the entry holding {@link #configuration()} (at most the snapshot's index). */
  public long configurationIndex() {
    return log.configurationIndex();
  }

  /** While leading: each member's match index (this node's own included), else an empty map. */
  public Map<NodeId, Long> matchIndexes() {
    return leaderState == null ? Map.of() : leaderState.matchIndexes();
  }

  // ---------------------------------------------------------------- events

  /** Feeds one event to the algorithm. */
  public void step(Event event) {
    if (event instanceof Event.Tick) {
      tick();
    } else if (event instanceof Event.Receive r) {
      receive(r.message());
    } else if (event instanceof Event.Propose p) {
      propose(p.proposals(), p.settledBelow());
    } else if (event instanceof Event.Applied a) {
      appliedIndex = Math.max(appliedIndex, Math.min(a.index(), commitIndex));
    } else if (event instanceof Event.TransferLeadership t) {
      transferLeadership(t.requestId(), t.target());
    } else if (event instanceof Event.ReadIndex r) {
      readIndex(r.requestId(), self);
    } else if (event instanceof Event.SnapshotTaken t) {
      onSnapshotTaken(t);
    } else if (event instanceof Event.SnapshotInstalled i) {
      onSnapshotInstalled(i.index(), i.term(), Configuration.decode(i.configuration()));
    } else if (event instanceof Event.LeaseRead r) {
      if (role == Role.LEADER && leaderState.leaseValid()) {
        outcomes.add(new Outcome.ReadIndexReady(r.requestId(), commitIndex));
      } else {
        readIndex(r.requestId(), self);
      }
    } else if (event instanceof Event.ChangeMembership c) {
      if (role == Role.LEADER) {
        leaderState.queueChange(c);
      } else {
        outcomes.add(new Outcome.Rejected(c.requestId(), leader, "not the leader"));
      }
    }
    checkConfiguration();
    maybeLeaveAfterRemoval();
  }

  /** Keeps the leader's bookkeeping in step with the configuration in effect. */
  private void checkConfiguration() {
    Configuration c = log.configuration();
    if (c != knownConfiguration) {
      knownConfiguration = c;
      if (leaderState != null) {
        leaderState.syncMembers();
      }
    }
  }

  /**
   * A leader that removed itself leads until the removal commits (counting only the new
   * configuration's voters), then hands over to the most up-to-date voter and steps down
   * (thesis §4.2.2). It is no voter any more, so it never campaigns again.
   */
  private void maybeLeaveAfterRemoval() {
    if (role != Role.LEADER || log.configuration().isVoter(self)
        || commitIndex < log.configurationIndex()) {
      return;
    }
    NodeId successor = leaderState.mostUpToDateFollower();
    if (successor != null && leaderState.matchIndexes().get(successor) == log.lastIndex()) {
      messages.add(new TimeoutNow(self, successor, term));
    }
    becomeFollower(term, null);
  }

  /** Takes the effects produced since the last call. */
  public Ready ready() {
    if (leaderState != null) {
      leaderState.flush();
    }
    checkConfiguration();
    TermAndVote tv = new TermAndVote(term, votedFor);
    TermAndVote toSave = tv.equals(savedTermAndVote) ? null : tv;
    savedTermAndVote = tv;
    long truncateFrom = log.pendingTruncateFrom();
    List<LogEntry> entries = log.hasUnstable() ? log.takeUnstable() : List.of();
    if (role == Role.LEADER && !entries.isEmpty()) {
      // The leader counts its own copy only once it is durable (its write runs beside replication).
      messagesAfterPersist.add(
          new AppendResponse(self, self, term, true, log.lastIndex(), 0, 0, 0, log.lastIndex(), 0));
    }
    List<LogEntry> committed = List.of();
    if (commitIndex > applyHandedIndex) {
      committed = log.range(applyHandedIndex + 1, commitIndex);
      applyHandedIndex = commitIndex;
    }
    Ready ready =
        new Ready(
            pendingResetLogTo, toSave, truncateFrom, entries, messages, messagesAfterPersist,
            committed, outcomes, pendingCompactUpTo, snapshotsToSend, snapshotChunks);
    pendingResetLogTo = 0;
    pendingCompactUpTo = 0;
    snapshotsToSend = new ArrayList<>();
    snapshotChunks = new ArrayList<>();
    messages = new ArrayList<>();
    messagesAfterPersist = new ArrayList<>();
    outcomes = new ArrayList<>();
    return ready;
  }

  // ---------------------------------------------------------------- time

  private void tick() {
    if (role == Role.LEADER) {
      leaderState.tick();
      return;
    }
    electionElapsed++;
    if (steppedDownTransfer != null && ++steppedDownTransfer.elapsedTicks >= config.electionTicksMin()) {
      outcomes.add(
          new Outcome.Rejected(
              steppedDownTransfer.requestId, leader, "the transfer target did not take over in time"));
      steppedDownTransfer = null;
    }
    if (log.configuration().isVoter(self) && electionElapsed >= randomizedElectionTimeout) {
      campaign(config.preVote(), false);
    }
  }

  void resetElectionTimer() {
    electionElapsed = 0;
    randomizedElectionTimeout =
        config.electionTicksMin()
            + random.nextInt(config.electionTicksMax() - config.electionTicksMin());
  }

  /**
   * Whether a leader may hold a lease that counts on this node: it heard from one, or started, less
   * than a minimum election timeout ago. Measured with the clock, not in ticks: ticks may run late,
   * and an election timer's first tick may come early, so a node that already campaigns (its own
   * timer fired) still refuses others until the time is up.
   */
  private boolean inLeaderLease() {
    return clock.nanos() - leaderContactNanos < config.electionTimeoutMinNanos();
  }

  /** A message from the leader of this term: its lease may count on this node from now on. */
  private void heardFromLeader() {
    leaderContactNanos = clock.nanos();
    resetElectionTimer();
  }

  /** The node's clock, for the leader's lease. */
  long nowNanos() {
    return clock.nanos();
  }

  // ---------------------------------------------------------------- role changes

  void becomeFollower(long newTerm, NodeId newLeader) {
    if (role == Role.LEADER) {
      steppedDownTransfer = leaderState.stepDown(newLeader);
      leaderState = null;
    }
    if (newTerm != term) {
      term = newTerm;
      votedFor = null;
    }
    role = Role.FOLLOWER;
    election = null;
    setLeader(newLeader);
    resetElectionTimer();
  }

  private void setLeader(NodeId newLeader) {
    leader = newLeader;
    if (newLeader != null && steppedDownTransfer != null) {
      PendingTransfer t = steppedDownTransfer;
      steppedDownTransfer = null;
      outcomes.add(
          newLeader.equals(t.target)
              ? new Outcome.TransferCompleted(t.requestId, newLeader)
              : new Outcome.Rejected(t.requestId, newLeader, newLeader + " took over instead"));
    }
  }

  private void campaign(boolean preVote, boolean leadershipTransfer) {
    resetElectionTimer();
    role = Role.CANDIDATE;
    leader = null;
    long campaignTerm = term + 1;
    if (!preVote) {
      term = campaignTerm;
      votedFor = self;
    }
    SortedSet<NodeId> voters = log.configuration().voters();
    election = new Election(preVote, voters);
    for (NodeId voter : voters) {
      if (voter.equals(self)) {
        continue;
      }
      messages.add(
          new VoteRequest(
              self, voter, campaignTerm, log.lastIndex(), log.lastTerm(), preVote,
              leadershipTransfer));
    }
    if (preVote) {
      // A pre-vote changes nothing durable, so this node's own counts at once.
      onVote(self, true);
    } else {
      // A real vote for itself counts only once the term and vote are durable.
      messagesAfterPersist.add(new VoteResponse(self, self, term, true, false));
    }
  }

  private void onVote(NodeId voter, boolean granted) {
    switch (election.record(voter, granted)) {
      case WON -> {
        if (election.preVote()) {
          campaign(false, false);
        } else {
          becomeLeader();
        }
      }
      case LOST -> becomeFollower(term, null);
      case PENDING -> {}
    }
  }

  private void becomeLeader() {
    role = Role.LEADER;
    election = null;
    setLeader(self);
    leaderState = new LeaderState(this, config, self);
    // A no-op of the new term lets earlier entries commit (§5.4.2) and gates reads and transfers.
    log.append(LogEntry.noop(log.lastIndex() + 1, term));
    leaderState.broadcastAppend();
  }

  // ---------------------------------------------------------------- messages

  private void receive(RaftMessage m) {
    if (!m.to().equals(self)) {
      return;
    }
    // Client-side messages carry no authority over terms; they are answered whatever the term.
    if (m instanceof ForwardRequest f) {
      onForwardRequest(f);
      return;
    }
    if (m instanceof ForwardResponse f) {
      outcomes.add(
          f.accepted()
              ? new Outcome.ProposalAccepted(f.requestId(), f.index(), f.entryTerm())
              : new Outcome.Rejected(f.requestId(), f.leaderHint(), "the leader refused"));
      return;
    }
    if (m instanceof ReadIndexRequest r) {
      readIndex(r.requestId(), r.from());
      return;
    }
    if (m instanceof ReadIndexResponse r) {
      outcomes.add(
          r.accepted()
              ? new Outcome.ReadIndexReady(r.requestId(), r.readIndex())
              : new Outcome.Rejected(r.requestId(), r.leaderHint(), "the leader refused the read"));
      return;
    }
    if (m instanceof VoteRequest v && !log.configuration().isVoter(v.from())) {
      // A node outside the configuration (removed, or not yet known here) cannot disturb it.
      return;
    }
    if (m.term() > term) {
      if (m instanceof VoteRequest v) {
        boolean ignoreForLease =
            !v.leadershipTransfer() && (v.preVote() || config.checkQuorum()) && inLeaderLease();
        if (ignoreForLease) {
          // A leader is alive: a (possibly removed or partitioned) node must not depose it.
          if (v.preVote()) {
            messages.add(new VoteResponse(self, v.from(), term, false, true));
          }
          return;
        }
        if (!v.preVote()) {
          becomeFollower(m.term(), null);
        }
      } else if (m instanceof VoteResponse r && r.preVote() && r.granted()) {
        // A granted pre-vote carries the term the candidate would campaign in: adopt nothing.
      } else {
        boolean fromLeader =
            m instanceof AppendRequest || m instanceof InstallSnapshotRequest || m instanceof TimeoutNow;
        becomeFollower(m.term(), fromLeader ? m.from() : null);
      }
    } else if (m.term() < term) {
      onStaleTerm(m);
      return;
    }
    if (m instanceof VoteRequest v) {
      onVoteRequest(v);
    } else if (m instanceof VoteResponse r) {
      onVoteResponse(r);
    } else if (m instanceof AppendRequest a) {
      onAppendRequest(a);
    } else if (m instanceof AppendResponse r) {
      if (leaderState != null) {
        leaderState.onAppendResponse(r);
      }
    } else if (m instanceof TimeoutNow) {
      if (role == Role.FOLLOWER && log.configuration().isVoter(self)) {
        campaign(false, true);
      }
    } else if (m instanceof InstallSnapshotRequest r) {
      onInstallSnapshot(r);
    } else if (m instanceof InstallSnapshotResponse r) {
      if (leaderState != null) {
        leaderState.onSnapshotResponse(r);
      }
    }
  }

  // ---------------------------------------------------------------- snapshots

  private void onSnapshotTaken(Event.SnapshotTaken t) {
    if (t.index() > snapshotIndex) {
      snapshotIndex = t.index();
      snapshotTerm = t.term();
    }
    long upTo = Math.min(t.compactUpTo(), Math.min(t.index(), appliedIndex));
    if (upTo > log.snapshotIndex()) {
      log.compactTo(upTo);
      pendingCompactUpTo = upTo;
    }
  }

  private void onInstallSnapshot(InstallSnapshotRequest r) {
    if (role == Role.CANDIDATE) {
      becomeFollower(term, r.from());
    }
    if (!r.from().equals(leader)) {
      setLeader(r.from());
    }
    heardFromLeader();
    if (r.snapshotIndex() <= commitIndex) {
      // Everything it covers is committed here already: nothing to install.
      messages.add(new InstallSnapshotResponse(
          self, r.from(), term, r.snapshotIndex(), 0, true, r.round()));
      return;
    }
    installingRound = r.round();
    snapshotChunks.add(r);
  }

  private void onSnapshotInstalled(long index, long t, Configuration configuration) {
    if (index <= commitIndex) {
      return;
    }
    if (log.term(index) == t) {
      log.compactTo(index); // the log already continues the snapshot: keep what follows (§7)
      pendingCompactUpTo = index;
    } else {
      // A snapshot without a recorded configuration (an older format) keeps the one in effect.
      log.resetTo(index, t, configuration.isEmpty() ? log.configuration() : configuration);
      pendingResetLogTo = index + 1;
    }
    commitIndex = index;
    appliedIndex = index;
    applyHandedIndex = index;
    snapshotIndex = index;
    snapshotTerm = t;
    if (leader != null) {
      messagesAfterPersist.add(
          new InstallSnapshotResponse(self, leader, term, index, 0, true, installingRound));
    }
  }

  /** The latest durable snapshot's index (0 if none). */
  long snapshotIndex() {
    return snapshotIndex;
  }

  void sendSnapshot(NodeId to, long round) {
    snapshotsToSend.add(new Ready.SnapshotTarget(to, round));
  }

  private void onStaleTerm(RaftMessage m) {
    if (m instanceof AppendRequest || m instanceof InstallSnapshotRequest) {
      // Tell a deposed leader the newer term so it steps down (needed with check-quorum and
      // pre-vote, where a higher term no longer reaches it through vote requests).
      messages.add(
          new AppendResponse(self, m.from(), term, false, 0, 0, 0, 0, log.lastIndex(), 0));
    } else if (m instanceof VoteRequest v && v.preVote()) {
      messages.add(new VoteResponse(self, v.from(), term, false, true));
    }
  }

  private void onVoteRequest(VoteRequest v) {
    boolean upToDate = log.isUpToDate(v.lastLogIndex(), v.lastLogTerm());
    if (v.preVote()) {
      boolean grant = v.term() > term && upToDate;
      messages.add(new VoteResponse(self, v.from(), grant ? v.term() : term, grant, true));
      return;
    }
    boolean canVote = votedFor != null ? votedFor.equals(v.from()) : leader == null;
    if (canVote && upToDate) {
      votedFor = v.from();
      resetElectionTimer();
      // The vote leaves only once it is durable, so a restart in this term cannot vote twice.
      messagesAfterPersist.add(new VoteResponse(self, v.from(), term, true, false));
    } else {
      messages.add(new VoteResponse(self, v.from(), term, false, false));
    }
  }

  private void onVoteResponse(VoteResponse r) {
    if (election == null) {
      return;
    }
    // A granted pre-vote echoes the campaign term; a refusal carries the voter's own term, which
    // (being not higher, or it would have made this node a follower) is this node's term.
    boolean matches =
        r.preVote()
            ? election.preVote() && r.term() == (r.granted() ? term + 1 : term)
            : !election.preVote() && r.term() == term;
    if (matches) {
      onVote(r.from(), r.granted());
    }
  }

  private void onAppendRequest(AppendRequest a) {
    if (role == Role.LEADER) {
      throw new IllegalStateException(
          "two leaders in term " + term + ": " + self + " and " + a.from());
    }
    if (role == Role.CANDIDATE) {
      becomeFollower(term, a.from());
    }
    if (!a.from().equals(leader)) {
      setLeader(a.from());
    }
    heardFromLeader();
    long prev = a.prevLogIndex();
    if (prev > log.lastIndex()) {
      reject(a, 0, log.lastIndex() + 1);
      return;
    }
    if (prev >= log.snapshotIndex() && log.term(prev) != a.prevLogTerm()) {
      long conflictTerm = log.term(prev);
      reject(a, conflictTerm, Math.max(log.firstIndexOfTermAt(prev), commitIndex + 1));
      return;
    }
    log.appendFromLeader(prev, a.entries(), commitIndex);
    long lastNew = a.lastIndex();
    long newCommit = Math.min(a.leaderCommit(), lastNew);
    if (newCommit > commitIndex) {
      commitIndex = newCommit;
    }
    // The success goes out only once the entries are durable here.
    messagesAfterPersist.add(
        new AppendResponse(self, a.from(), term, true, lastNew, 0, 0, 0, log.lastIndex(), a.round()));
  }

  private void reject(AppendRequest a, long conflictTerm, long conflictIndex) {
    messages.add(
        new AppendResponse(
            self, a.from(), term, false, 0, a.prevLogIndex(), conflictTerm, conflictIndex,
            log.lastIndex(), a.round()));
  }

  // ---------------------------------------------------------------- client requests

  private void propose(List<Event.Proposal> proposals, long settledBelow) {
    if (role == Role.LEADER) {
      String refusal = leaderState.refusal();
      for (Event.Proposal p : proposals) {
        if (refusal != null) {
          outcomes.add(new Outcome.Rejected(p.requestId(), self, refusal));
        } else {
          long index = appendCommand(p.command());
          outcomes.add(new Outcome.ProposalAccepted(p.requestId(), index, term));
        }
      }
      return;
    }
    for (Event.Proposal p : proposals) {
      if (leader != null) {
        messages.add(new ForwardRequest(self, leader, term, p.requestId(), p.command(),
            settledBelow));
      } else {
        outcomes.add(new Outcome.Rejected(p.requestId(), null, "no leader is known"));
      }
    }
  }

  /** Appends a configuration entry as leader; it takes effect at once. Returns its index. */
  long appendConfiguration(Configuration next) {
    long index = log.lastIndex() + 1;
    log.append(new LogEntry(index, term, EntryType.CONFIGURATION, next.encode()));
    leaderState.markAppended();
    checkConfiguration();
    return index;
  }

  private long appendCommand(byte[] command) {
    long index = log.lastIndex() + 1;
    log.append(LogEntry.command(index, term, command));
    leaderState.markAppended();
    return index;
  }

  private void onForwardRequest(ForwardRequest f) {
    String refusal = role != Role.LEADER ? "not the leader" : leaderState.refusal();
    if (refusal == null && f.term() != term) {
      // Sent to the leader of another term: a delayed or duplicated copy must not append twice.
      refusal = "forwarded in term " + f.term() + ", not " + term;
    }
    if (refusal != null) {
      messages.add(
          new ForwardResponse(self, f.from(), term, f.requestId(), false, 0, 0, leader));
      return;
    }
    long index = leaderState.forwardedIndex(f);
    if (index < 0) {
      return; // a late copy of a request its sender has settled: it waits for no answer
    }
    if (index == 0) {
      index = appendCommand(f.command());
      leaderState.rememberForwarded(f, index);
    }
    messages.add(new ForwardResponse(self, f.from(), term, f.requestId(), true, index, term, self));
  }

  private void readIndex(long requestId, NodeId origin) {
    if (role == Role.LEADER) {
      leaderState.requestRead(requestId, origin);
    } else if (origin.equals(self) && leader != null) {
      messages.add(new ReadIndexRequest(self, leader, term, requestId));
    } else {
      refuseRead(requestId, origin, "not the leader");
    }
  }

  void refuseRead(long requestId, NodeId origin, String reason) {
    if (origin.equals(self)) {
      outcomes.add(new Outcome.Rejected(requestId, leader, reason));
    } else {
      messages.add(new ReadIndexResponse(self, origin, term, requestId, false, 0, leader));
    }
  }

  void grantRead(long requestId, NodeId origin, long readIndex) {
    if (origin.equals(self)) {
      outcomes.add(new Outcome.ReadIndexReady(requestId, readIndex));
    } else {
      messages.add(new ReadIndexResponse(self, origin, term, requestId, true, readIndex, self));
    }
  }

  private void transferLeadership(long requestId, NodeId target) {
    if (role != Role.LEADER) {
      outcomes.add(new Outcome.Rejected(requestId, leader, "not the leader"));
      return;
    }
    leaderState.startTransfer(requestId, target);
  }

  // ---------------------------------------------------------------- for the leader's helpers

  long currentTerm() {
    return term;
  }

  void addMessage(RaftMessage m) {
    messages.add(m);
  }

  void addOutcome(Outcome o) {
    outcomes.add(o);
  }

  /** Commits up to {@code index}; called by the leader only for an entry of its own term. */
  void advanceCommit(long index) {
    if (index > commitIndex) {
      commitIndex = index;
    }
  }

  /** Check-quorum failed: stop leading (same term) so that the reachable majority may elect. */
  void stepDownInCurrentTerm() {
    becomeFollower(term, null);
  }

  /** A transfer whose leader stepped down, awaiting the next leader to learn whether it worked. */
  static final class PendingTransfer {
    final long requestId;
    final NodeId target;
    int elapsedTicks;

    PendingTransfer(long requestId, NodeId target) {
      this.requestId = requestId;
      this.target = target;
    }
  }

  @Override
  public String toString() {
    return self + "[" + role + " term=" + term + " leader=" + leader + " commit=" + commitIndex
        + " last=" + log.lastIndex() + "]";
  }
}
