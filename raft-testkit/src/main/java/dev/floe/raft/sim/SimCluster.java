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
package dev.floe.raft.sim;

import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SessionRequest;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.StateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A cluster of real {@link RaftNode}s on virtual time, a simulated network and simulated disks, all
 * driven by one seeded random source: a run replays exactly from its seed. Safety properties are
 * checked after every event (see {@link #violations()}), and so is every node's health: a node that
 * stops on a failure its disk did not inject ({@link dev.floe.raft.cluster.Role#STOPPED}), or
 * whose task throws, is a violation reported with its stack trace; the node is then crashed, so
 * that it can be restarted.
 *
 * <p>Besides crashes and a faulty network, it plays the faults at the edges around the algorithm:
 * process pauses, clocks that run fast or slow, late timers, messages held for seconds, and an
 * operator's mistakes (an edited member list, swapped data directories, a lost term and vote).
 *
 * <p>Used by scripted scenario tests and by {@link Simulation}'s randomized runs. Not thread-safe:
 * drive it from one thread.
 */
public final class SimCluster {
  private static final int JOURNAL_SIZE = 400;
  /** How often, in events, log matching is checked over all pairs (it costs the most). */
  private static final int LOG_CHECK_INTERVAL = 64;

  private final Scheduler scheduler;
  private final SimNetwork network;
  private final Checker checker;
  private final List<SimNode> nodes = new ArrayList<>();
  private final List<NodeId> ids = new ArrayList<>();
  private final RaftOptions options;
  private final Supplier<StateMachine> stateMachines;
  private final SnapshotOptions snapshots;
  private final dev.floe.raft.cluster.ClusterId clusterId;
  /** Makes each machine's disk. */
  private final Supplier<SimDisk> disks;
  private final java.util.ArrayDeque<String> journal = new java.util.ArrayDeque<>();
  private final NodeFailures failures;
  private final StateChecks checks;
  /** How long a slow disk's flushes take, for machines added later too (0, 0: fast disks). */
  private long slowSyncMinMillis;
  private long slowSyncMaxMillis;
  /** Told of every running node's status after every event, or null. */
  private LeadershipWatch watch;

  private SimCluster(int size, long seed, RaftOptions options, Supplier<StateMachine> stateMachines,
      SnapshotOptions snapshots, Supplier<SimDisk> disks, StateChecks checks) {
    if (size < 1) {
      throw new IllegalArgumentException("a cluster needs at least one node");
    }
    this.options = options;
    this.stateMachines = stateMachines;
    this.snapshots = snapshots;
    this.disks = disks;
    this.checks = checks;
    this.clusterId = dev.floe.raft.cluster.ClusterId.of("sim-" + Long.toHexString(seed));
    this.scheduler = new Scheduler(new SplittableRandom(seed));
    this.checker = new Checker(scheduler::nowMicros);
    this.failures = new NodeFailures(scheduler, checker, this::note);
    this.network = new SimNetwork(scheduler);
    for (int i = 1; i <= size; i++) {
      ids.add(NodeId.of("n" + i));
    }
    for (NodeId id : ids) {
      nodes.add(new SimNode(id, clusterId, scheduler, network, List.copyOf(ids), options,
          stateMachines, checker, checks, snapshots, disks.get(), failures));
    }
  }

  /**
   * Creates and starts a cluster of nodes {@code n1..n<size>}.
   *
   * @param size how many voting members
   * @param seed the seed of every random choice in the run
   * @param options the nodes' options
   * @param stateMachines makes a fresh, empty state machine for each node incarnation
   * @return the started cluster
   */
  public static SimCluster start(
      int size, long seed, RaftOptions options, Supplier<StateMachine> stateMachines) {
    return start(size, seed, options, stateMachines, null);
  }

  /**
   * Creates and starts a cluster whose nodes take snapshots and compact their logs.
   *
   * @param size how many voting members
   * @param seed the seed of every random choice in the run
   * @param options the nodes' options
   * @param stateMachines makes a fresh, empty state machine for each node incarnation
   * @param snapshots when to snapshot, or {@code null} for no snapshots
   * @return the started cluster
   */
  public static SimCluster start(int size, long seed, RaftOptions options,
      Supplier<StateMachine> stateMachines, SnapshotOptions snapshots) {
    return start(size, seed, options, stateMachines, snapshots, MemoryDisk::new);
  }

  /**
   * Creates and starts a cluster whose machines have the disks {@code disks} makes (for instance a
   * real store over a simulated file system).
   *
   * @param size how many voting members
   * @param seed the seed of every random choice in the run
   * @param options the nodes' options
   * @param stateMachines makes a fresh, empty state machine for each node incarnation
   * @param snapshots when to snapshot, or {@code null} for no snapshots
   * @param disks makes each machine's disk
   * @return the started cluster
   */
  public static SimCluster start(int size, long seed, RaftOptions options,
      Supplier<StateMachine> stateMachines, SnapshotOptions snapshots, Supplier<SimDisk> disks) {
    return start(size, seed, options, stateMachines, snapshots, disks,
        StateChecks.bySnapshots(stateMachines));
  }

  /** Creates and starts a cluster whose states are compared by {@code checks}. */
  static SimCluster start(int size, long seed, RaftOptions options,
      Supplier<StateMachine> stateMachines, SnapshotOptions snapshots, Supplier<SimDisk> disks,
      StateChecks checks) {
    SimCluster c = new SimCluster(size, seed, options, stateMachines, snapshots, disks, checks);
    c.nodes.forEach(SimNode::start);
    return c;
  }

  /**
   * A started cluster with default options and a register state machine (see {@link
   * RegisterStateMachine}).
   *
   * @param size how many voting members
   * @param seed the seed of every random choice in the run
   * @return the started cluster
   */
  public static SimCluster start(int size, long seed) {
    return start(size, seed, defaultOptions(), RegisterStateMachine::new);
  }

  /**
   * {@return the simulator's default options: the library's, with elections after 150 to 300 ms
   * instead of 500 to 1,000 ms} Shorter timeouts make a run of virtual seconds go through many
   * elections.
   */
  public static RaftOptions defaultOptions() {
    return RaftOptions.builder().electionTimeout(150, 300).build();
  }

  /**
   * {@return every node of the run, members or not: the initial ones ({@code n1} first), then added
   * ones}
   */
  public List<NodeId> ids() {
    return List.copyOf(ids);
  }

  /**
   * Starts a new node that joins the running cluster: it has no membership until a leader adds it
   * (for example {@code node(leader).addVoter(id, "")}) and replicates to it. After a crash it
   * restarts from its own disk; after {@link #wipe} it waits to be added again.
   *
   * @param id the new node's id
   * @return the id
   * @throws IllegalArgumentException if the id is taken
   */
  public NodeId addNode(NodeId id) {
    note("add machine " + id);
    if (ids.contains(id)) {
      throw new IllegalArgumentException(id + " already exists");
    }
    SimNode n = new SimNode(id, clusterId, scheduler, network, null, options, stateMachines, checker,
        checks, snapshots, disks.get(), failures);
    n.slowSyncs(slowSyncMinMillis, slowSyncMaxMillis);
    ids.add(id);
    nodes.add(n);
    n.start();
    return id;
  }

  /**
   * The configuration in effect on a running node (the last in its log).
   *
   * @param id a running node
   * @return its configuration
   */
  public Configuration configuration(NodeId id) {
    return node(id).configuration();
  }

  /** {@return virtual milliseconds since the start} */
  public long nowMillis() {
    return scheduler.nowMicros() / 1000;
  }

  long nowMicros() {
    return scheduler.nowMicros();
  }

  /** Every entry applied so far, by index, as first applied. */
  java.util.NavigableMap<Long, Checker.Applied> appliedEntries() {
    return checker.applied();
  }

  /** {@return events run so far} */
  public long events() {
    return scheduler.executed();
  }

  /**
   * Runs for {@code millis} of virtual time.
   *
   * @param millis how long, in virtual milliseconds
   */
  public void runFor(long millis) {
    long until = scheduler.nowMicros() + millis * 1000;
    while (scheduler.runNext(until)) {
      afterEvent();
    }
  }

  /**
   * Runs until {@code condition} holds (checked after every event) or {@code maxMillis} pass.
   *
   * @param condition what to wait for
   * @param maxMillis the most virtual milliseconds to run
   * @return whether the condition holds
   */
  public boolean runUntil(BooleanSupplier condition, long maxMillis) {
    long until = scheduler.nowMicros() + maxMillis * 1000;
    while (!condition.getAsBoolean()) {
      if (!scheduler.runNext(until)) {
        return condition.getAsBoolean();
      }
      afterEvent();
    }
    return true;
  }

  private void afterEvent() {
    checker.afterEvent(nodes);
    if (scheduler.executed() % LOG_CHECK_INTERVAL == 0) {
      checker.checkLogMatching(nodes);
    }
    for (SimNode n : nodes) {
      if (!n.isUp()) {
        continue;
      }
      RaftStatus s = n.node().status();
      failures.check(n, s);
      if (watch != null) {
        watch.observe(n.id, s);
      }
      if (s.role() == Role.LEADER && s.term() > n.termNotedLeading) {
        n.termNotedLeading = s.term();
        note(n.id + " leads term " + s.term() + ", log to " + s.lastIndex() + ", commit "
            + s.commitIndex() + ", voters " + s.members());
      }
    }
  }

  private SimNode sim(NodeId id) {
    return nodes.get(ids.indexOf(id));
  }

  /** How many times the machine's node was started (each start a new incarnation). */
  int incarnation(NodeId id) {
    return sim(id).incarnation();
  }

  /**
   * {@return whether the node is running (started and not crashed; a paused node is running)}
   *
   * @param id the node
   */
  public boolean isUp(NodeId id) {
    return sim(id).isUp();
  }

  /**
   * The running node's {@link RaftNode}.
   *
   * @param id a running node
   * @return its node
   */
  public RaftNode node(NodeId id) {
    SimNode n = sim(id);
    if (!n.isUp()) {
      throw new IllegalStateException(id + " is down");
    }
    return n.node();
  }

  /**
   * The running node's status.
   *
   * @param id a running node
   * @return its status
   */
  public RaftStatus status(NodeId id) {
    return node(id).status();
  }

  /** {@return the running leader of the highest term, if any} */
  public Optional<NodeId> leader() {
    NodeId best = null;
    long bestTerm = -1;
    for (SimNode n : nodes) {
      if (n.isUp()) {
        RaftStatus s = n.node().status();
        if (s.role() == Role.LEADER && s.term() > bestTerm) {
          best = n.id;
          bestTerm = s.term();
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Runs until a leader is elected; fails if none is within {@code maxMillis}.
   *
   * @param maxMillis the most virtual milliseconds to wait
   * @return the leader
   */
  public NodeId awaitLeader(long maxMillis) {
    if (!runUntil(() -> leader().isPresent(), maxMillis)) {
      throw new AssertionError("no leader within " + maxMillis + " ms (seed replay: see the test)");
    }
    return leader().orElseThrow();
  }

  /**
   * Runs until a node other than {@code previous} leads; fails if none does within {@code
   * maxMillis}.
   *
   * @param previous the leader to replace
   * @param maxMillis the most virtual milliseconds to wait
   * @return the new leader
   */
  public NodeId awaitLeaderOtherThan(NodeId previous, long maxMillis) {
    if (!runUntil(() -> leader().filter(l -> !l.equals(previous)).isPresent(), maxMillis)) {
      throw new AssertionError("no leader but " + previous + " within " + maxMillis + " ms");
    }
    return leader().orElseThrow();
  }

  /**
   * Submits through the given node; acknowledged results are checked against what is applied. A
   * paused node takes the call when it resumes.
   *
   * @param via the node that takes the submit
   * @param command the command
   * @return the submit's future
   */
  public CompletableFuture<SubmitResult> submit(NodeId via, byte[] command) {
    Object submit = new Object(); // a plain submit is one of its own
    checker.onSubmitted(command, submit);
    return checked(command, submit, sim(via).call(n -> n.submit(command)));
  }

  /**
   * Submits within a client session; acknowledged results are checked as with {@link #submit}. A
   * retry with the same session and sequence counts as the same submit.
   *
   * @param via the node to submit through
   * @param command the command bytes
   * @param session the client session and the command's sequence number in it
   * @return the submit's future
   */
  public CompletableFuture<SubmitResult> submit(NodeId via, byte[] command, SessionRequest session) {
    checker.onSubmitted(command, session);
    return checked(command, session, sim(via).call(n -> n.submit(command, session)));
  }

  /**
   * Queries through the given node; a paused node takes the call when it resumes.
   *
   * @param via the node that takes the query
   * @param query the query
   * @param consistency how fresh the answer must be
   * @return the query's future
   */
  public CompletableFuture<byte[]> query(NodeId via, byte[] query, ReadConsistency consistency) {
    return sim(via).call(n -> n.query(query, consistency));
  }

  private CompletableFuture<SubmitResult> checked(byte[] command, Object submit,
      CompletableFuture<SubmitResult> f) {
    return f.whenComplete((r, e) -> {
      if (r != null) {
        checker.onAcknowledged(command, submit, r.index());
      }
    });
  }

  /**
   * Submits, then runs until the outcome is known (or {@code maxMillis} pass).
   *
   * @param via the node that takes the submit
   * @param command the command
   * @param maxMillis the most virtual milliseconds to run
   * @return the submit's future, done unless {@code maxMillis} passed first
   */
  public CompletableFuture<SubmitResult> submitAndWait(NodeId via, byte[] command, long maxMillis) {
    CompletableFuture<SubmitResult> f = submit(via, command);
    runUntil(f::isDone, maxMillis);
    return f;
  }

  /**
   * The commands the node's current incarnation has applied, in order.
   *
   * @param id a node
   * @return the commands applied, in order
   */
  public List<byte[]> applied(NodeId id) {
    return sim(id).stateMachine().appliedCommands();
  }

  /**
   * The node's log as written to its (simulated) disk, durable or not.
   *
   * @param id a node
   * @return its log's entries
   */
  public List<LogEntry> log(NodeId id) {
    return sim(id).logEntries();
  }

  /**
   * Power loss: the node stops at once and loses some of its unsynced writes.
   *
   * @param id a running node
   */
  public void crash(NodeId id) {
    note("crash " + id);
    sim(id).crash();
  }

  /**
   * Starts a new incarnation of a crashed node from what its disk kept.
   *
   * @param id a crashed node
   */
  public void restart(NodeId id) {
    note("restart " + id);
    SimNode n = sim(id);
    if (n.isUp()) {
      throw new IllegalStateException(id + " is running");
    }
    checker.onRestart(id);
    n.start();
  }

  /**
   * Tries to start a new incarnation of a crashed node with its own settings (on whatever disk it
   * has now, see {@link #swapDisks}).
   *
   * @param id a crashed node
   * @return empty if it started, or why it was refused (it then stays down)
   */
  public Optional<Exception> tryRestart(NodeId id) {
    return tryRestartWithMembers(id, sim(id).founders());
  }

  /**
   * Tries to start a new incarnation of a crashed node given {@code members(...)} (an operator's
   * edited member list), or {@code join()} if null; only this start gets them.
   *
   * @param id a crashed node
   * @param members the member list it starts with, or {@code null} for {@code join()}
   * @return empty if it started, or why it was refused (it then stays down)
   */
  public Optional<Exception> tryRestartWithMembers(NodeId id, List<NodeId> members) {
    note("try to restart " + id + (members == null ? " joining" : " with members " + members));
    SimNode n = sim(id);
    if (n.isUp()) {
      throw new IllegalStateException(id + " is running");
    }
    checker.onRestart(id);
    return Optional.ofNullable(n.tryStart(members));
  }

  /**
   * The members the node was founded with, or empty if it joined a running cluster.
   *
   * @param id a node
   * @return the founding members it was started with
   */
  public Optional<List<NodeId>> founders(NodeId id) {
    return Optional.ofNullable(sim(id).founders());
  }

  /**
   * Whom the running node's store says it belongs to.
   *
   * @param id a running node
   * @return the identity its store records, or empty if none yet
   */
  public Optional<dev.floe.raft.spi.StoreIdentity> storeIdentity(NodeId id) {
    node(id); // checks that it runs
    return sim(id).store().identity();
  }

  /**
   * An operator's mistake: the data directories of two crashed machines are swapped (each machine
   * now starts on the other's disk), or swapped back.
   *
   * @param a a crashed node
   * @param b another crashed node
   */
  public void swapDisks(NodeId a, NodeId b) {
    note("swap the disks of " + a + " and " + b);
    SimNode x = sim(a);
    SimNode y = sim(b);
    if (x.isUp() || y.isUp() || a.equals(b)) {
      throw new IllegalStateException("swap the disks of two crashed machines: " + a + ", " + b);
    }
    SimDisk d = x.disk;
    x.disk = y.disk;
    y.disk = d;
  }

  /**
   * An operator's mistake: the crashed node's disk loses its term and vote (see {@link
   * SimDisk#loseTermAndVote}).
   *
   * @param id a crashed node
   * @return whether it was lost (false if the disk cannot, or holds none)
   */
  public boolean loseTermAndVote(NodeId id) {
    note("lose the term and vote of " + id);
    if (isUp(id)) {
      throw new IllegalStateException(id + " is running");
    }
    return sim(id).disk.loseTermAndVote();
  }

  /**
   * Puts back the term and vote {@link #loseTermAndVote} lost.
   *
   * @param id the node
   */
  public void restoreTermAndVote(NodeId id) {
    note("restore the term and vote of " + id);
    sim(id).disk.restoreTermAndVote();
  }

  /** The machine's disk (for scripts that inspect it). */
  SimDisk disk(NodeId id) {
    return sim(id).disk;
  }

  /**
   * Power loss that keeps none of the unsynced writes, for scripts that need that exact state.
   *
   * @throws IllegalStateException if the node's disk is not a {@link MemoryDisk}
   */
  void crashLosingEveryUnsyncedWrite(NodeId id) {
    note("crash " + id + ", losing every unsynced write");
    SimNode n = sim(id);
    if (!(n.disk instanceof MemoryDisk memory)) {
      throw new IllegalStateException(id + " runs on " + n.disk + ", not a MemoryDisk");
    }
    memory.crashLosingEveryUnsyncedWrite();
    n.crash();
  }

  /**
   * Pauses the running node's process for {@code millis} (a long GC pause, SIGSTOP): it runs
   * nothing meanwhile; messages to it, its timers and its disk's completions queue up, in order,
   * and run when it resumes; its clock runs on. Extends a pause in progress if it ends later.
   *
   * @param id a running node
   * @param millis how long, in virtual milliseconds
   */
  public void pause(NodeId id, long millis) {
    note("pause " + id + " for " + millis + " ms");
    sim(id).pause(millis * 1000);
  }

  /**
   * Whether the node is up and paused.
   *
   * @param id a node
   * @return whether it is paused
   */
  public boolean isPaused(NodeId id) {
    return sim(id).isUp() && sim(id).isPaused();
  }

  /** Ends every pause now. */
  public void resumeAll() {
    nodes.forEach(SimNode::resume);
  }

  /**
   * Sets the rate of the machine's clock against virtual time (1.0 is exact): its monotonic clock
   * and its timers run at that rate from now on. Floe assumes any two clocks agree on an interval
   * within {@link dev.floe.raft.internal.core.CoreConfig#MAX_CLOCK_DRIFT}.
   *
   * @param id a node
   * @param rate the rate, 1.0 for exact
   */
  public void setClockRate(NodeId id, double rate) {
    note("clock of " + id + " at rate " + rate);
    sim(id).clock.setRate(rate);
  }

  /**
   * The rate of the machine's clock against virtual time.
   *
   * @param id a node
   * @return its clock's rate
   */
  public double clockRate(NodeId id) {
    return sim(id).clock.rate();
  }

  /**
   * For the next {@code forMillis}, every timer the node sets fires late by a random amount up to
   * {@code maxLateMillis}, as on a busy event loop; the ticks lost are not made up.
   *
   * @param id a node
   * @param forMillis for how long, in virtual milliseconds
   * @param maxLateMillis the most a timer is late, in milliseconds
   */
  public void lateTimers(NodeId id, long forMillis, long maxLateMillis) {
    note("timers of " + id + " up to " + maxLateMillis + " ms late for " + forMillis + " ms");
    sim(id).lateTimers(scheduler.nowMicros() + forMillis * 1000, maxLateMillis * 1000);
  }

  /** Ends every spell of late timers. */
  public void timersOnTime() {
    nodes.forEach(n -> n.lateTimers(0, 0));
  }

  /** {@return timers set that fired late, over all nodes} */
  public long lateTimers() {
    return nodes.stream().mapToLong(n -> n.lateTimers).sum();
  }

  /**
   * Sets the chance that a message is held far longer than an election timeout, uniformly between
   * {@code minMillis} and {@code maxMillis}, before it is delivered.
   *
   * @param rate the chance for each message
   * @param minMillis the shortest hold, in milliseconds
   * @param maxMillis the longest hold, in milliseconds
   */
  public void setLongDelays(double rate, long minMillis, long maxMillis) {
    note("hold " + rate + " of the messages for " + minMillis + ".." + maxMillis + " ms");
    if (minMillis < 0 || maxMillis < minMillis) {
      throw new IllegalArgumentException("bad long delays: " + minMillis + ".." + maxMillis);
    }
    network.longDelayRate = rate;
    network.longDelayMinMicros = minMillis * 1000;
    network.longDelayMaxMicros = maxMillis * 1000;
  }

  /** {@return messages held long so far} */
  public long messagesDelayedLong() {
    return network.longDelayed;
  }

  /**
   * {@return node failures no injected fault explains so far (each is among the {@link
   * #violations()})}
   */
  public long nodeFailures() {
    return failures.unexplained();
  }

  /** {@return node failures that their disk injected on purpose} */
  public long injectedNodeFailures() {
    return failures.injected();
  }

  /**
   * Crashes the node and wipes its disk; it restarts empty, as a new machine that waits to be
   * added to the running cluster (the way to bring back a node that was removed).
   *
   * @param id the node
   */
  public void wipeToJoin(NodeId id) {
    note("wipe " + id + " to join");
    wipe(id);
    sim(id).joinFromNowOn();
  }

  /**
   * Crashes the node and wipes its disk (it restarts empty, with its initial membership: the lab's
   * scenario of a member that lost its disk).
   *
   * @param id the node
   */
  public void wipe(NodeId id) {
    note("wipe " + id);
    SimNode n = sim(id);
    if (n.isUp()) {
      n.crash();
    }
    n.disk.wipe();
  }

  /**
   * Drops every message from {@code from} to {@code to} until healed.
   *
   * @param from the sender
   * @param to the receiver
   */
  public void cut(NodeId from, NodeId to) {
    note("cut " + from + " > " + to);
    network.cut(from, to);
  }

  /**
   * Cuts the node off from all others, both ways.
   *
   * @param id the node
   */
  public void isolate(NodeId id) {
    note("isolate " + id);
    network.isolate(id, ids);
  }

  /** Restores every link. */
  public void heal() {
    note("heal");
    network.healAll();
  }

  /**
   * Sets the chance that a message is dropped, and that one is delivered twice.
   *
   * @param dropRate the chance that a message is dropped
   * @param duplicateRate the chance that a message is delivered twice
   */
  public void setLossAndDuplication(double dropRate, double duplicateRate) {
    note("drop " + dropRate + ", duplicate " + duplicateRate);
    network.dropRate = dropRate;
    network.duplicateRate = duplicateRate;
  }

  /**
   * Sets the range of message delays.
   *
   * @param min the shortest delay, in microseconds
   * @param max the longest delay, in microseconds
   */
  public void setDelayMicros(long min, long max) {
    network.minDelayMicros = min;
    network.maxDelayMicros = max;
  }

  /** {@return the seeded random source of this run, for scripts that make random choices} */
  public java.util.random.RandomGenerator random() {
    return scheduler.random();
  }

  /**
   * Notes what was done to the cluster (a fault, an operator's action), for the journal of a run
   * that failed. Only the last {@value #JOURNAL_SIZE} notes are kept.
   *
   * @param what the note
   */
  public void note(String what) {
    if (journal.size() == JOURNAL_SIZE) {
      journal.removeFirst();
    }
    journal.addLast("at " + nowMillis() + " ms: " + what);
  }

  /** {@return the last notes, oldest first, one a line} */
  public String journal() {
    return String.join("\n", journal);
  }

  /** Records a violation that a script or a fault found (a start that had to be refused). */
  void violation(String what) {
    checker.violation(what);
  }

  /**
   * Runs the end-of-run checks and returns every safety violation seen.
   *
   * @return the violations, empty if none
   */
  public List<String> violations() {
    checker.checkLogMatching(nodes);
    checker.finalCheck();
    return checker.violations();
  }

  /** {@return each node's status, one line each, for diagnosing a run} */
  public String describe() {
    StringBuilder b = new StringBuilder();
    for (SimNode n : nodes) {
      b.append(n.id).append(": ");
      b.append(n.isUp() ? (n.isPaused() ? "paused, " : "") + n.node().status() : "down");
      b.append(", clock rate ").append(n.clock.rate()).append('\n');
    }
    return b.toString();
  }

  /**
   * From now on every machine's disk is slow: it does one flush at a time, and the writes handed
   * over during a flush wait for the next one. {@code slowDisks(0, 0)} makes the disks fast again,
   * each piece of work done within about 5 ms.
   *
   * @param minMillis the shortest flush, in virtual milliseconds, at least 0
   * @param maxMillis the longest flush, at least {@code minMillis}
   */
  public void slowDisks(long minMillis, long maxMillis) {
    if (minMillis < 0 || maxMillis < minMillis) {
      throw new IllegalArgumentException("bad flush times: " + minMillis + ".." + maxMillis + " ms");
    }
    note("disks flush in " + minMillis + ".." + maxMillis + " ms");
    slowSyncMinMillis = minMillis;
    slowSyncMaxMillis = maxMillis;
    nodes.forEach(n -> n.slowSyncs(minMillis, maxMillis));
  }

  /** {@return the flushes slow disks did so far, over all machines} */
  public long slowSyncs() {
    return nodes.stream().mapToLong(n -> n.slowSyncs).sum();
  }

  /**
   * Sets each link's bandwidth: a message occupies its link's lane (bulk data has a lane of its
   * own) for its size over it, and what is sent meanwhile on that lane waits its turn.
   *
   * @param bytesPerSecond the bandwidth of every link, positive
   */
  public void setBandwidth(long bytesPerSecond) {
    if (bytesPerSecond < 1) {
      throw new IllegalArgumentException("bandwidth must be positive: " + bytesPerSecond);
    }
    note("links carry " + bytesPerSecond + " bytes/s");
    network.bytesPerSecond = bytesPerSecond;
  }

  /**
   * Whether bulk data (entries, snapshot chunks, large forwarded commands) travels on a lane of its
   * own, as with Floe's transport (the default), or on the same lane as heartbeats and votes.
   */
  void separateBulkLane(boolean separate) {
    network.separateBulkLane = separate;
  }

  /** {@return the bulk messages refused because their lane had more than its limit queued} */
  public long bulkMessagesRefused() {
    return network.bulkRefused;
  }

  /** When every message held long so far will have been delivered, in virtual milliseconds. */
  long longDelaysDueMillis() {
    return network.longDelaysDueMicros() / 1000;
  }

  /** Tells {@code watch} of every running node's status after every event (null: no one). */
  void watch(LeadershipWatch watch) {
    this.watch = watch;
  }

  /**
   * Each running node's applied index and state digest (see {@link StateChecks}), null if it has
   * none; a node whose digest fails is reported with the exception's text.
   */
  java.util.Map<NodeId, java.util.Map.Entry<Long, byte[]>> finalStates() {
    java.util.Map<NodeId, java.util.Map.Entry<Long, byte[]>> out = new java.util.TreeMap<>();
    for (SimNode n : nodes) {
      if (!n.isUp()) {
        continue;
      }
      byte[] digest;
      try {
        digest = n.stateMachine().digest();
      } catch (java.io.IOException | RuntimeException e) {
        checker.stateMachineThrew(n.id, "computing the state's digest", e);
        continue;
      }
      if (digest != null) {
        out.put(n.id, java.util.Map.entry(n.node().status().appliedIndex(), digest));
      }
    }
    return out;
  }

  /** How often the state machine under test threw. */
  long stateMachineFailures() {
    return checker.stateMachineFailures();
  }

  /** The first exception the state machine under test threw, with its stack trace, or null. */
  String firstStateMachineFailure() {
    return checker.firstStateMachineFailure();
  }

  Scheduler schedulerForClients() {
    return scheduler;
  }

  long acknowledgedCount() {
    return checker.acknowledgedCount();
  }

  long messagesSent() {
    return network.sent;
  }

  long messagesDropped() {
    return network.dropped;
  }

  long messagesDuplicated() {
    return network.duplicated;
  }
}
