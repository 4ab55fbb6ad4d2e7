package dev.floe.raft.sim;

import dev.floe.raft.Configuration;
import dev.floe.raft.NodeId;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.Role;
import dev.floe.raft.SessionRequest;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.SubmitResult;
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
 * checked after every event (see {@link #violations()}).
 *
 * <p>Used by scripted scenario tests and by {@link Simulation}'s randomized runs. Not thread-safe:
 * drive it from one thread.
 */
public final class SimCluster {
  /** How often, in events, log matching is checked over all pairs (it costs the most). */
  private static final int LOG_CHECK_INTERVAL = 64;

  private final Scheduler scheduler;
  private final SimNetwork network;
  private final Checker checker = new Checker();
  private final List<SimNode> nodes = new ArrayList<>();
  private final List<NodeId> ids = new ArrayList<>();
  private final RaftOptions options;
  private final Supplier<StateMachine> stateMachines;
  private final SnapshotOptions snapshots;
  private final dev.floe.raft.ClusterId clusterId;
  /** Makes each machine's disk. */
  private final Supplier<SimDisk> disks;

  private SimCluster(int size, long seed, RaftOptions options, Supplier<StateMachine> stateMachines,
      SnapshotOptions snapshots, Supplier<SimDisk> disks) {
    if (size < 1) {
      throw new IllegalArgumentException("a cluster needs at least one node");
    }
    this.options = options;
    this.stateMachines = stateMachines;
    this.snapshots = snapshots;
    this.disks = disks;
    this.clusterId = dev.floe.raft.ClusterId.of("sim-" + Long.toHexString(seed));
    this.scheduler = new Scheduler(new SplittableRandom(seed));
    this.network = new SimNetwork(scheduler);
    for (int i = 1; i <= size; i++) {
      ids.add(NodeId.of("n" + i));
    }
    for (NodeId id : ids) {
      nodes.add(new SimNode(id, clusterId, scheduler, network, List.copyOf(ids), options,
          stateMachines, checker, snapshots, disks.get()));
    }
  }

  /**
   * Creates and starts a cluster of nodes {@code n1..n<size>}.
   *
   * @param size how many voting members
   * @param seed the seed of every random choice in the run
   * @param options the nodes' options
   * @param stateMachines makes a fresh, empty state machine for each node incarnation
   */
  public static SimCluster start(
      int size, long seed, RaftOptions options, Supplier<StateMachine> stateMachines) {
    return start(size, seed, options, stateMachines, null);
  }

  /**
   * Creates and starts a cluster whose nodes take snapshots and compact their logs.
   *
   * @param snapshots when to snapshot, or {@code null} for no snapshots
   */
  public static SimCluster start(int size, long seed, RaftOptions options,
      Supplier<StateMachine> stateMachines, SnapshotOptions snapshots) {
    return start(size, seed, options, stateMachines, snapshots, MemoryDisk::new);
  }

  /**
   * Creates and starts a cluster whose machines have the disks {@code disks} makes (for instance a
   * real store over a simulated file system).
   */
  public static SimCluster start(int size, long seed, RaftOptions options,
      Supplier<StateMachine> stateMachines, SnapshotOptions snapshots, Supplier<SimDisk> disks) {
    SimCluster c = new SimCluster(size, seed, options, stateMachines, snapshots, disks);
    c.nodes.forEach(SimNode::start);
    return c;
  }

  /** A started cluster with default options and a register state machine (see {@link RegisterStateMachine}). */
  public static SimCluster start(int size, long seed) {
    return start(size, seed, RaftOptions.defaults(), RegisterStateMachine::new);
  }

  /** Every node of the run, members or not: the initial ones ({@code n1} first), then added ones. */
  public List<NodeId> ids() {
    return List.copyOf(ids);
  }

  /**
   * Starts a new node that joins the running cluster: it has no membership until a leader adds it
   * (for example {@code node(leader).addVoter(id, "")}) and replicates to it. After a crash it
   * restarts from its own disk; after {@link #wipe} it waits to be added again.
   *
   * @throws IllegalArgumentException if the id is taken
   */
  public NodeId addNode(NodeId id) {
    if (ids.contains(id)) {
      throw new IllegalArgumentException(id + " already exists");
    }
    SimNode n = new SimNode(id, clusterId, scheduler, network, null, options, stateMachines, checker,
        snapshots, disks.get());
    ids.add(id);
    nodes.add(n);
    n.start();
    return id;
  }

  /** The configuration in effect on a running node (the last in its log). */
  public Configuration configuration(NodeId id) {
    return node(id).configuration();
  }

  /** Virtual milliseconds since the start. */
  public long nowMillis() {
    return scheduler.nowMicros() / 1000;
  }

  long nowMicros() {
    return scheduler.nowMicros();
  }

  java.util.Map<java.nio.ByteBuffer, Long> appliedIndexes() {
    return checker.appliedIndexes();
  }

  /** Events run so far. */
  public long events() {
    return scheduler.executed();
  }

  /** Runs for {@code millis} of virtual time. */
  public void runFor(long millis) {
    long until = scheduler.nowMicros() + millis * 1000;
    while (scheduler.runNext(until)) {
      afterEvent();
    }
  }

  /** Runs until {@code condition} holds (checked after every event) or {@code maxMillis} pass. */
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
  }

  private SimNode sim(NodeId id) {
    return nodes.get(ids.indexOf(id));
  }

  /** Whether the node is running. */
  public boolean isUp(NodeId id) {
    return sim(id).isUp();
  }

  /** The running node's {@link RaftNode}. */
  public RaftNode node(NodeId id) {
    SimNode n = sim(id);
    if (!n.isUp()) {
      throw new IllegalStateException(id + " is down");
    }
    return n.node();
  }

  /** The running node's status. */
  public RaftStatus status(NodeId id) {
    return node(id).status();
  }

  /** The running leader of the highest term, if any. */
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

  /** Runs until a leader is elected; fails if none is within {@code maxMillis}. */
  public NodeId awaitLeader(long maxMillis) {
    if (!runUntil(() -> leader().isPresent(), maxMillis)) {
      throw new AssertionError("no leader within " + maxMillis + " ms (seed replay: see the test)");
    }
    return leader().orElseThrow();
  }

  /** Runs until a node other than {@code previous} leads; fails if none does within {@code maxMillis}. */
  public NodeId awaitLeaderOtherThan(NodeId previous, long maxMillis) {
    if (!runUntil(() -> leader().filter(l -> !l.equals(previous)).isPresent(), maxMillis)) {
      throw new AssertionError("no leader but " + previous + " within " + maxMillis + " ms");
    }
    return leader().orElseThrow();
  }

  /** Submits through the given node; acknowledged results are checked against what is applied. */
  public CompletableFuture<SubmitResult> submit(NodeId via, byte[] command) {
    return checked(command, node(via).submit(command));
  }

  /** Submits within a client session; acknowledged results are checked as with {@link #submit}. */
  public CompletableFuture<SubmitResult> submit(NodeId via, byte[] command, SessionRequest session) {
    return checked(command, node(via).submit(command, session));
  }

  private CompletableFuture<SubmitResult> checked(byte[] command, CompletableFuture<SubmitResult> f) {
    return f.whenComplete((r, e) -> {
      if (r != null) {
        checker.onAcknowledged(command, r.index());
      }
    });
  }

  /** Submits, then runs until the outcome is known (or {@code maxMillis} pass). */
  public CompletableFuture<SubmitResult> submitAndWait(NodeId via, byte[] command, long maxMillis) {
    CompletableFuture<SubmitResult> f = submit(via, command);
    runUntil(f::isDone, maxMillis);
    return f;
  }

  /** The commands the node's current incarnation has applied, in order. */
  public List<byte[]> applied(NodeId id) {
    return sim(id).stateMachine().appliedCommands();
  }

  /** The node's log as written to its (simulated) disk, durable or not. */
  public List<LogEntry> log(NodeId id) {
    return sim(id).logEntries();
  }

  /** Power loss: the node stops at once and loses some of its unsynced writes. */
  public void crash(NodeId id) {
    sim(id).crash();
  }

  /** Starts a new incarnation of a crashed node from what its disk kept. */
  public void restart(NodeId id) {
    SimNode n = sim(id);
    if (n.isUp()) {
      throw new IllegalStateException(id + " is running");
    }
    checker.onRestart(id);
    n.start();
  }

  /**
   * Crashes the node and wipes its disk; it restarts empty, as a new machine that waits to be
   * added to the running cluster (the way to bring back a node that was removed).
   */
  public void wipeToJoin(NodeId id) {
    wipe(id);
    sim(id).joinFromNowOn();
  }

  /**
   * Crashes the node and wipes its disk (it restarts empty, with its initial membership: the lab's
   * scenario of a member that lost its disk).
   */
  public void wipe(NodeId id) {
    SimNode n = sim(id);
    if (n.isUp()) {
      n.crash();
    }
    n.disk.wipe();
  }

  /** Drops every message from {@code from} to {@code to} until healed. */
  public void cut(NodeId from, NodeId to) {
    network.cut(from, to);
  }

  /** Cuts the node off from all others, both ways. */
  public void isolate(NodeId id) {
    network.isolate(id, ids);
  }

  /** Restores every link. */
  public void heal() {
    network.healAll();
  }

  /** Sets the chance that a message is dropped, and that one is delivered twice. */
  public void setLossAndDuplication(double dropRate, double duplicateRate) {
    network.dropRate = dropRate;
    network.duplicateRate = duplicateRate;
  }

  /** Sets the range of message delays. */
  public void setDelayMicros(long min, long max) {
    network.minDelayMicros = min;
    network.maxDelayMicros = max;
  }

  /** The seeded random source of this run, for scripts that make random choices. */
  public java.util.random.RandomGenerator random() {
    return scheduler.random();
  }

  /** Runs the end-of-run checks and returns every safety violation seen. */
  public List<String> violations() {
    checker.checkLogMatching(nodes);
    checker.finalCheck();
    return checker.violations();
  }

  /** Each node's status, one line each, for diagnosing a run. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    for (SimNode n : nodes) {
      b.append(n.id).append(": ");
      b.append(n.isUp() ? n.node().status().toString() : "down").append('\n');
    }
    return b.toString();
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
