package dev.floe.raft.sim;

import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SessionRequest;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StateMachine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A randomized run of a simulated cluster from one seed: a safety phase in which clients submit
 * through any node while nodes crash and restart, links are cut and healed, and messages are
 * dropped, duplicated and reordered; then a liveness phase in which the healed cluster must elect
 * a leader, commit a new command and bring every node up to date within a bound.
 *
 * <p>Unless {@link Builder#edgeFaults turned off}, the safety phase also plays the faults at the
 * edges around the algorithm: every machine's clock runs at its own rate (within the drift bound
 * Floe assumes), processes pause for up to several election timeouts, timers fire late, messages
 * are held for seconds, and an operator restarts nodes with an edited member list, on swapped data
 * directories and on a disk that lost its term and vote (see {@link EdgeFaultInjector}). A node
 * that fails with no injected fault to explain it is a violation.
 *
 * <p>Point it at your own state machine to test its determinism under faults:
 *
 * <pre>{@code
 * SimulationReport r = Simulation.builder().nodes(5).seed(42).stateMachine(MyMachine::new).run();
 * assertThat(r.violations()).isEmpty();
 * }</pre>
 *
 * The same seed and settings replay the same run exactly.
 */
public final class Simulation {
  private final int nodes;
  private final long seed;
  private final long safetyMillis;
  private final long livenessMillis;
  private final int clients;
  private final RaftOptions options;
  private final Supplier<StateMachine> stateMachines;
  private final Supplier<byte[]> unusedCommands;
  private final SnapshotOptions snapshots;
  private final boolean membershipChanges;
  private final Supplier<SimDisk> disks;
  private final boolean edgeFaults;
  /** What of the settings a command line cannot give, or null if nothing: for the replay hint. */
  private final String customized;

  private SimCluster cluster;
  /** The membership change in progress, if any: one at a time, as an operator would. */
  private java.util.concurrent.CompletableFuture<Configuration> change;
  private long changesCommitted;
  private final History history = new History();
  private long faults;
  private long commandCounter;

  private Simulation(Builder b) {
    this.nodes = b.nodes;
    this.seed = b.seed;
    this.safetyMillis = b.safetyMillis;
    this.livenessMillis = b.livenessMillis;
    this.clients = b.clients;
    this.options = b.options;
    this.stateMachines = b.stateMachines;
    this.unusedCommands = b.commands;
    this.snapshots = b.snapshots;
    this.membershipChanges = b.membershipChanges;
    this.disks = b.disks;
    this.edgeFaults = b.edgeFaults;
    this.customized = b.customized.isEmpty() ? null : String.join(", ", b.customized);
  }

  /** {@return a builder with defaults: 3 nodes, seed 1, 10 s of faults, 10 s for liveness} */
  public static Builder builder() {
    return new Builder();
  }

  private byte[] nextCommand(int client) {
    if (unusedCommands != null) {
      return unusedCommands.get();
    }
    return ("c" + client + "-" + (++commandCounter)).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Runs the simulation and returns what it saw.
   *
   * @return what the run saw
   */
  public SimulationReport run() {
    cluster = SimCluster.start(nodes, seed, options, stateMachines, snapshots, disks);
    RandomGenerator random = cluster.random();
    if (membershipChanges) {
      // Two spare machines, not members yet: the operator adds them, removes members, and
      // replaces and re-adds nodes, while the faults go on.
      cluster.addNode(NodeId.of("n" + (nodes + 1)));
      cluster.addNode(NodeId.of("n" + (nodes + 2)));
    }
    EdgeFaultInjector edge = new EdgeFaultInjector(cluster, options, (via, millis) ->
        later(millis, () -> stragglerRead(via, random)));
    if (edgeFaults) {
      edge.skewClocks(random);
    }
    for (int c = 0; c < clients; c++) {
      startClient(c, random);
    }
    long end = cluster.nowMillis() + safetyMillis;
    boolean live;
    String crash = null;
    try {
      while (cluster.nowMillis() < end) {
        cluster.runFor(20 + random.nextInt(300));
        injectFault(random);
        if (edgeFaults && random.nextInt(100) < 30) {
          edge.inject(random);
        }
        if (membershipChanges) {
          changeMembership(random);
        }
      }
      edge.endAll();
      live = livenessPhase();
    } catch (RuntimeException e) {
      // Something the nodes' own failure handling did not catch (such as a restart that failed):
      // report it as this seed's violation, so that it is printed with its replay command.
      live = false;
      crash = "the run stopped: " + NodeFailures.stackTrace(e);
    }
    List<String> violations = new java.util.ArrayList<>(cluster.violations());
    if (crash != null) {
      violations.add(0, crash);
    }
    var indexes = cluster.appliedIndexes();
    history.pendingWritesUnknown();
    violations.addAll(history.check(v -> v.isEmpty() ? 0
        : indexes.getOrDefault(java.nio.ByteBuffer.wrap(v.getBytes(StandardCharsets.UTF_8)), -1L)));
    String finalState = live && violations.isEmpty() ? ""
        : cluster.describe() + "journal (the last faults and leaders):\n" + cluster.journal() + "\n";
    return new SimulationReport(seed, nodes, cluster.events(), faults + edge.injected(),
        changesCommitted, cluster.acknowledgedCount(),
        cluster.messagesSent(), cluster.messagesDropped(), cluster.messagesDuplicated(),
        history.operations(), edge.counts(), live, List.copyOf(violations), finalState,
        replayCommand());
  }

  /**
   * The command that replays this run: {@code SimulationTest#replay} with the seed and every
   * setting that differs from the defaults, run from the repository's root. A run with settings no
   * command line can give (a custom state machine, disk, ...) is replayed by rerunning its own test
   * with its seed.
   */
  private String replayCommand() {
    Builder defaults = new Builder();
    StringBuilder command = new StringBuilder("mvn -B -ntp -o -pl raft-testkit -am"
        + " -Dsurefire.failIfNoSpecifiedTests=false '-Dtest=SimulationTest#replay'");
    command.append(" -Dfloe.sim.seed=").append(seed).append(" -Dfloe.sim.nodes=").append(nodes);
    if (safetyMillis != defaults.safetyMillis) {
      command.append(" -Dfloe.sim.safetyMillis=").append(safetyMillis);
    }
    if (livenessMillis != defaults.livenessMillis) {
      command.append(" -Dfloe.sim.livenessMillis=").append(livenessMillis);
    }
    if (clients != defaults.clients) {
      command.append(" -Dfloe.sim.clients=").append(clients);
    }
    if (membershipChanges != defaults.membershipChanges) {
      command.append(" -Dfloe.sim.membershipChanges=").append(membershipChanges);
    }
    if (edgeFaults != defaults.edgeFaults) {
      command.append(" -Dfloe.sim.edgeFaults=").append(edgeFaults);
    }
    command.append(" test");
    if (customized != null) {
      return "rerun the test that built this simulation with seed " + seed + " (it has a custom "
          + customized + ", which no command line can give; the other settings: " + command + ")";
    }
    return command.toString();
  }

  private void injectFault(RandomGenerator random) {
    List<NodeId> ids = cluster.ids();
    NodeId target = ids.get(random.nextInt(ids.size()));
    NodeId leader = cluster.leader().orElse(target);
    int dice = random.nextInt(100);
    faults++;
    if (dice < 15) {
      if (cluster.isUp(leader)) {
        cluster.crash(leader); // leader crashes leave uncommitted entries of old terms around
      }
    } else if (dice < 25) {
      if (cluster.isUp(target)) {
        cluster.crash(target);
      }
    } else if (dice < 45) {
      restartSomeone(random);
    } else if (dice < 55) {
      isolateWithMinority(leader, random);
    } else if (dice < 63) {
      cluster.isolate(target);
    } else if (dice < 70) {
      cluster.cut(target, ids.get(random.nextInt(ids.size())));
    } else if (dice < 82) {
      cluster.heal();
    } else if (dice < 88) {
      if (cluster.isUp(leader) && cluster.status(leader).isLeader()) {
        NodeId to = random.nextBoolean() ? null : target;
        cluster.note("transfer leadership from " + leader + " to " + (to == null ? "anyone" : to));
        cluster.node(leader).transferLeadership(to);
      }
    } else {
      cluster.setLossAndDuplication(random.nextDouble() * 0.2, random.nextDouble() * 0.1);
    }
  }

  /**
   * An operator's membership change through the current leader, mostly one at a time: add a voter (a
   * spare or a removed node, which first catches up as a learner), or remove one (the leader
   * itself a third of the time), keeping between {@code nodes} and {@code nodes + 2} voters. A
   * node whose removal committed is sometimes wiped, so that adding it again starts from nothing.
   */
  private void changeMembership(RandomGenerator random) {
    if (change != null && !change.isDone() && random.nextInt(3) != 0) {
      return; // usually one at a time; sometimes another is queued behind it, as a hasty operator
    }
    Optional<NodeId> leader = cluster.leader();
    if (leader.isEmpty()) {
      return;
    }
    RaftNode via = cluster.node(leader.get());
    Configuration current = via.configuration();
    List<NodeId> outside = cluster.ids().stream().filter(id -> !current.isVoter(id)).toList();
    boolean grow = current.voters().size() < nodes + 2 && !outside.isEmpty()
        && (current.voters().size() <= nodes || random.nextBoolean());
    if (grow) {
      NodeId added = outside.get(random.nextInt(outside.size()));
      cluster.note("add voter " + added + " through " + leader.get());
      change = via.addVoter(added, "");
    } else if (current.voters().size() > nodes) {
      List<NodeId> voters = List.copyOf(current.voters());
      NodeId removed = random.nextInt(3) == 0 ? leader.get()
          : voters.get(random.nextInt(voters.size()));
      boolean wipe = random.nextBoolean();
      cluster.note("remove " + removed + " through " + leader.get());
      change = via.removeMember(removed);
      change.thenRun(() -> later(0, () -> {
        // Only a node outside every configuration it could come back in may lose its disk.
        boolean stillOut = cluster.leader()
            .map(l -> !cluster.configuration(l).contains(removed)).orElse(false);
        if (wipe && stillOut) {
          cluster.wipeToJoin(removed); // restarted later by a restart fault or the liveness phase
        }
      }));
    } else {
      return;
    }
    change.thenRun(() -> changesCommitted++);
  }

  /** Cuts the leader, with fewer than half of the others, off from the rest (both ways). */
  private void isolateWithMinority(NodeId leader, RandomGenerator random) {
    List<NodeId> ids = cluster.ids();
    List<NodeId> side = new java.util.ArrayList<>(List.of(leader));
    for (NodeId id : ids) {
      if (!id.equals(leader) && side.size() < (ids.size() - 1) / 2 && random.nextBoolean()) {
        side.add(id);
      }
    }
    for (NodeId a : side) {
      for (NodeId b : ids) {
        if (!side.contains(b)) {
          cluster.cut(a, b);
          cluster.cut(b, a);
        }
      }
    }
  }

  private void restartSomeone(RandomGenerator random) {
    List<NodeId> down = cluster.ids().stream().filter(id -> !cluster.isUp(id)).toList();
    if (!down.isEmpty()) {
      cluster.restart(down.get(random.nextInt(down.size())));
    }
  }

  private boolean livenessPhase() {
    cluster.heal();
    cluster.setLossAndDuplication(0, 0);
    cluster.setLongDelays(0, 0, 0);
    for (NodeId id : cluster.ids()) {
      if (!cluster.isUp(id)) {
        cluster.restart(id);
      }
    }
    long deadline = cluster.nowMillis() + livenessMillis;
    // Like a client, retry the probe until it commits: the first leader found may be a stale one
    // about to step down (check-quorum), which answers with a failure.
    long target = -1;
    for (int attempt = 0; target < 0 && cluster.nowMillis() < deadline; attempt++) {
      if (!cluster.runUntil(() -> cluster.leader().isPresent(), deadline - cluster.nowMillis())) {
        return false;
      }
      NodeId leader = cluster.leader().orElseThrow();
      String value = "liveness-probe-" + attempt;
      history.writeInvoked(value, cluster.nowMicros());
      var probe = cluster.submit(leader, value.getBytes(StandardCharsets.UTF_8));
      cluster.runUntil(probe::isDone, Math.max(1, deadline - cluster.nowMillis()));
      if (probe.isDone() && !probe.isCompletedExceptionally()) {
        history.writeEnded(value, cluster.nowMicros());
        target = probe.join().index();
      } else {
        cluster.runFor(50);
      }
    }
    if (target < 0) {
      return false;
    }
    long committed = target;
    // Every member of the configuration in effect catches up; removed nodes get no more entries.
    return cluster.runUntil(() -> {
      Optional<NodeId> leader = cluster.leader();
      if (leader.isEmpty()) {
        return false;
      }
      Configuration members = cluster.configuration(leader.get());
      return members.members().stream()
          .allMatch(id -> cluster.ids().contains(id) && cluster.status(id).appliedIndex() >= committed);
    }, Math.max(1, deadline - cluster.nowMillis()));
  }

  /**
   * A client: one operation at a time through a random node. Writes go through a client session and
   * are retried with the same sequence until answered, so each is applied once; reads alternate
   * between linearizable and lease reads. Every operation is recorded for the linearizability check.
   */
  private void startClient(int client, RandomGenerator random) {
    long clientId = random.nextLong();
    clientStep(client, clientId, 1, null, random);
  }

  private void clientStep(int client, long clientId, long sequence, byte[] retry,
      RandomGenerator random) {
    List<NodeId> up = cluster.ids().stream().filter(cluster::isUp).toList();
    if (up.isEmpty()) {
      later(20, () -> clientStep(client, clientId, sequence, retry, random));
      return;
    }
    NodeId via = up.get(random.nextInt(up.size()));
    if (retry == null && random.nextInt(100) < 30) {
      read(client, clientId, sequence, via, random);
      return;
    }
    byte[] command = retry != null ? retry : nextCommand(client);
    String value = new String(command, StandardCharsets.UTF_8);
    history.writeInvoked(value, cluster.nowMicros());
    answerOrGiveUp(cluster.submit(via, command, new SessionRequest(clientId, sequence)), r -> {
      if (r != null) {
        history.writeEnded(value, cluster.nowMicros());
        later(random.nextInt(30), () -> clientStep(client, clientId, sequence + 1, null, random));
      } else {
        // Refused or unknown: the session makes a retry with the same sequence safe.
        later(random.nextInt(30), () -> clientStep(client, clientId, sequence, command, random));
      }
    }, () -> clientStep(client, clientId, sequence, command, random));
  }

  private void read(int client, long clientId, long sequence, NodeId via, RandomGenerator random) {
    long invoked = cluster.nowMicros();
    ReadConsistency consistency =
        random.nextBoolean() ? ReadConsistency.LINEARIZABLE : ReadConsistency.LEASE;
    answerOrGiveUp(cluster.query(via, new byte[0], consistency), v -> {
      if (v != null) {
        history.read(new String(v, StandardCharsets.UTF_8), invoked, cluster.nowMicros());
      }
      later(random.nextInt(30), () -> clientStep(client, clientId, sequence, null, random));
    }, () -> clientStep(client, clientId, sequence, null, random));
  }

  /**
   * A client other than the regular ones, which still takes {@code via} (such as a paused leader)
   * for the leader: it writes through another node and, once the write is acknowledged, reads
   * through {@code via}, mostly a lease read. Both are recorded like the regular clients'
   * operations, so a read that misses the write is a stale read.
   */
  private void stragglerRead(NodeId via, RandomGenerator random) {
    List<NodeId> others = cluster.ids().stream()
        .filter(id -> !id.equals(via) && cluster.isUp(id)).toList();
    if (!cluster.isUp(via) || others.isEmpty()) {
      return;
    }
    byte[] command = nextCommand(clients);
    String value = new String(command, StandardCharsets.UTF_8);
    history.writeInvoked(value, cluster.nowMicros());
    NodeId writeVia = others.get(random.nextInt(others.size()));
    answerOrGiveUp(cluster.submit(writeVia, command), r -> {
      if (r != null) {
        history.writeEnded(value, cluster.nowMicros());
        readThrough(via, random);
      }
    }, () -> {});
  }

  private void readThrough(NodeId via, RandomGenerator random) {
    if (!cluster.isUp(via)) {
      return;
    }
    long invoked = cluster.nowMicros();
    ReadConsistency consistency =
        random.nextInt(3) == 0 ? ReadConsistency.LINEARIZABLE : ReadConsistency.LEASE;
    answerOrGiveUp(cluster.query(via, new byte[0], consistency), v -> {
      if (v != null) {
        history.read(new String(v, StandardCharsets.UTF_8), invoked, cluster.nowMicros());
      }
    }, () -> {});
  }

  /**
   * Runs {@code onAnswer} with the result (null on failure) when the operation ends, or {@code
   * onGiveUp} if it has not ended after 3 s (its node crashed and will never answer): one of them,
   * once. With the faults at the edges a client is less patient, 0.2 to 1.5 s: it moves on while a
   * paused node holds its request, and may then read from that node once its writes elsewhere
   * completed, which is how a paused leader's stale lease would show.
   */
  private <T> void answerOrGiveUp(
      java.util.concurrent.CompletableFuture<T> operation,
      java.util.function.Consumer<T> onAnswer,
      Runnable onGiveUp) {
    boolean[] settled = new boolean[1];
    operation.whenComplete((result, error) -> {
      if (!settled[0]) {
        settled[0] = true;
        onAnswer.accept(result);
      }
    });
    long patienceMillis = edgeFaults ? 200 + cluster.random().nextLong(1_300) : 3_000;
    later(patienceMillis, () -> {
      if (!settled[0]) {
        settled[0] = true;
        onGiveUp.run();
      }
    });
  }

  private void later(long millis, Runnable r) {
    cluster.schedulerForClients().schedule(millis * 1000, r);
  }

  /** Builds a {@link Simulation}. */
  public static final class Builder {
    private int nodes = 3;
    private long seed = 1;
    private long safetyMillis = 10_000;
    private long livenessMillis = 10_000;
    private int clients = 3;
    private RaftOptions options = SimCluster.defaultOptions();
    private Supplier<StateMachine> stateMachines = RegisterStateMachine::new;
    private Supplier<byte[]> commands;
    private SnapshotOptions snapshots = new SnapshotOptions(40, 8, 16);
    private boolean membershipChanges = true;
    private Supplier<SimDisk> disks = MemoryDisk::new;
    private boolean edgeFaults = true;
    /** The settings given that no command line can give, to say so in the replay command. */
    private final java.util.TreeSet<String> customized = new java.util.TreeSet<>();

    private Builder() {}

    /**
     * Makes each machine's disk (by default a {@link MemoryDisk}): for instance a real log store
     * over a simulated file system, to run it under the simulator's crashes.
     *
     * @param disks makes each machine's disk
     * @return this builder
     */
    public Builder disks(Supplier<SimDisk> disks) {
      this.disks = Objects.requireNonNull(disks);
      customized.add("disk");
      return this;
    }

    /**
     * Whether the safety phase also plays the faults at the edges around the algorithm (on by
     * default): skewed clocks, process pauses, late timers, messages held for seconds, and an
     * operator's restarts with an edited member list, on swapped data directories and on a disk
     * that lost its term and vote.
     *
     * @param on whether to play them
     * @return this builder
     */
    public Builder edgeFaults(boolean on) {
      this.edgeFaults = on;
      return this;
    }

    /**
     * Whether an operator changes the membership during the fault phase (on by default): two spare
     * nodes join, members are removed (the leader among them) and added back, some after losing
     * their disk.
     *
     * @param on whether to change the membership
     * @return this builder
     */
    public Builder membershipChanges(boolean on) {
      this.membershipChanges = on;
      return this;
    }

    /**
     * When nodes snapshot and compact (by default very often, with tiny chunks, so that runs
     * exercise compaction and InstallSnapshot), or {@code null} for no snapshots.
     *
     * @param snapshots the snapshot options, or {@code null}
     * @return this builder
     */
    public Builder snapshots(SnapshotOptions snapshots) {
      this.snapshots = snapshots;
      customized.add("snapshot setting");
      return this;
    }

    /**
     * Cluster size (1 to 9).
     *
     * @param nodes the number of nodes
     * @return this builder
     */
    public Builder nodes(int nodes) {
      if (nodes < 1 || nodes > 9) {
        throw new IllegalArgumentException("nodes must be 1 to 9: " + nodes);
      }
      this.nodes = nodes;
      return this;
    }

    /**
     * The seed of every random choice.
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Virtual time of the fault phase, and the bound of the liveness phase.
     *
     * @param safetyMillis the fault phase, in virtual milliseconds
     * @param livenessMillis the bound of the liveness phase, in virtual milliseconds
     * @return this builder
     */
    public Builder durations(long safetyMillis, long livenessMillis) {
      this.safetyMillis = safetyMillis;
      this.livenessMillis = livenessMillis;
      return this;
    }

    /**
     * How many clients submit concurrently.
     *
     * @param clients the number of clients
     * @return this builder
     */
    public Builder clients(int clients) {
      this.clients = clients;
      return this;
    }

    /**
     * The nodes' options.
     *
     * @param options the options
     * @return this builder
     */
    public Builder options(RaftOptions options) {
      this.options = Objects.requireNonNull(options);
      customized.add("RaftOptions");
      return this;
    }

    /**
     * Makes a fresh state machine per node incarnation. The default is a register: a command sets
     * it, a query returns it; reads are checked for linearizability against it, so a custom state
     * machine should answer queries the same way or reads will be reported.
     *
     * @param stateMachines makes the state machines
     * @return this builder
     */
    public Builder stateMachine(Supplier<StateMachine> stateMachines) {
      this.stateMachines = Objects.requireNonNull(stateMachines);
      customized.add("state machine");
      return this;
    }

    /**
     * Makes the commands clients submit (each must be distinct, so that acknowledged commands can
     * be traced); by default {@code c<client>-<n>}.
     *
     * @param commands makes the commands
     * @return this builder
     */
    public Builder commands(Supplier<byte[]> commands) {
      this.commands = commands;
      customized.add("command supplier");
      return this;
    }

    /**
     * Runs a simulation with these settings.
     *
     * @return what the run saw
     */
    public SimulationReport run() {
      return new Simulation(this).run();
    }
  }
}
