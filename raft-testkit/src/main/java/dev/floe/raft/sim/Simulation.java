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
import dev.floe.raft.spi.StateMachine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A randomized run of a simulated cluster from one seed, testing a state machine (yours, or the
 * built-in register) under faults: a safety phase in which clients submit and read through any
 * node while nodes crash and restart, links are cut and healed, and messages are dropped,
 * duplicated and reordered; then a liveness phase in which the healed cluster must elect a leader,
 * commit a new command and bring every node up to date within a bound. The nodes are the real
 * {@link RaftNode}, on virtual time, a simulated network and simulated disks.
 *
 * <p>Unless {@link Builder#edgeFaults turned off}, the safety phase also plays the faults at the
 * edges around the algorithm: every machine's clock runs at its own rate (within the drift bound
 * Floe assumes), processes pause for up to several election timeouts, timers fire late, messages
 * are held for seconds, and an operator restarts nodes with an edited member list, on swapped data
 * directories and on a disk that lost its term and vote (see {@link EdgeFaultInjector}). In some
 * runs ({@link Builder#calmPhasesUnderLoad}) the disks are slow and the faults stop for a calm
 * phase in which clients submit commands up to the largest size: the leader must not change in it.
 *
 * <p>What is checked: Raft's safety properties after every event; every node's results against
 * each other (determinism); with a {@link Model}, every result and every read's answer against the
 * model, linearizably; every snapshot restored into a new instance against the state it was taken
 * from; every node's final state against the others'; and that the state machine never throws.
 * Testing your own state machine (see {@code docs/testing.md}):
 *
 * <pre>{@code
 * @SimulationTest(seeds = 50)            // dev.floe.raft.sim.junit: one run per seed
 * void counterMapIsCorrect(long seed) {
 *   Simulation.builder()
 *       .seed(seed)
 *       .stateMachine(CounterMap::new)
 *       .workload(CounterWorkload::new)  // commands and queries from the seeded random source
 *       .model(CounterModel::new)        // what each command and query should give
 *       .run()
 *       .assertPassed();                 // fails with the report: what broke, and how to replay
 * }
 * }</pre>
 *
 * The same seed and settings replay the same run exactly.
 */
public final class Simulation {
  /** Commands above this size are large: probes and their answers carry none of them. */
  static final int LARGE_COMMAND_BYTES = 64 * 1024;

  private final Builder settings;
  private final int nodes;
  private final long seed;
  /** The nodes' options: the builder's, with longer elections in loaded runs. */
  private RaftOptions options;
  /** How long the healed cluster has to commit a command. */
  private long livenessBound;
  private final Workload workload;
  private final boolean edgeFaults;

  private SimCluster cluster;
  private CalmPhase calm;
  /** The membership change in progress, if any: one at a time, as an operator would. */
  private CompletableFuture<Configuration> change;
  /** The node the change went through, and its incarnation: a crash leaves the change undone. */
  private NodeId changeVia;
  private int changeViaIncarnation;
  private long changesCommitted;
  private final History history = new History();
  private long faults;
  private long largeCommands;
  private long maxSizeCommands;
  /** Set once the run is over: clients then start nothing new. */
  private boolean clientsStopped;
  /**
   * The faults are over: the liveness phase has healed and restarted everything, and a fault that
   * an earlier step left pending (the wipe after a removal commits) must not strike any more.
   */
  private boolean faultsOver;

  private Simulation(Builder b) {
    this.settings = b;
    this.nodes = b.nodes;
    this.seed = b.seed;
    this.options = b.options;
    this.livenessBound = b.livenessMillis;
    this.workload = Objects.requireNonNull(b.workloads.get(), "the workload supplier gave null");
    this.edgeFaults = b.edgeFaults && b.edgeFaultPercent > 0;
  }

  /**
   * {@return a builder with the defaults: 3 nodes, seed 1, 10 s of faults, 10 s for liveness, 3
   * clients, the register state machine with its workload and model}
   */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return what the simulation saw, after running it to the end} */
  public SimulationReport run() {
    // Whether this run has a calm phase under load, and its shape, come from a random source of
    // their own (derived from the seed), so that runs without one draw exactly as they would.
    SplittableRandom load = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
    boolean loaded = load.nextInt(100) < settings.calmPercent;
    if (loaded && !settings.optionsGiven) {
      // Raft needs an election timeout well above the time to make a vote durable (thesis §9.4).
      // A slow disk takes up to 200 ms a flush, and a vote on a real store may need several
      // behind queued writes, so a loaded run gives elections five to ten of the slowest flushes
      // (at least the library's default timing), and the healed cluster ten such timeouts.
      RaftOptions library = RaftOptions.defaults();
      long min = Math.max(library.electionTimeoutMinMillis(), 5 * settings.slowSyncMaxMillis);
      options = options.withElectionTimeout(min, 2 * min);
      livenessBound = Math.max(settings.livenessMillis, 20 * min);
    }
    if (!settings.optionsGiven) {
      // How much of the log the nodes keep in memory decides whether an entry is served from
      // memory or read back from the store, and so where a batch of entries ends (a batch read
      // back never mixes with entries held): two runs in three keep little or nothing, so that
      // lagging followers, restarts and the state machine read entries back.
      int cache = new SplittableRandom(seed ^ 0x5DEECE66DL).nextInt(3);
      options = options.toBuilder().logCacheBytes(cache == 0 ? 0 : cache == 1 ? 4096 : 32L << 20)
          .build();
    }
    Supplier<StateMachine> machines = () -> settings.stateMachines.get();
    cluster = SimCluster.start(nodes, seed, options, machines,
        loaded ? settings.snapshotsUnderLoad() : settings.snapshots, settings.disks,
        new StateChecks(machines, settings.digest));
    RandomGenerator random = cluster.random();
    calm = new CalmPhase(cluster, options);
    if (settings.membershipChanges) {
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
    long calmAt = Long.MAX_VALUE;
    if (loaded) {
      cluster.slowDisks(settings.slowSyncMinMillis, settings.slowSyncMaxMillis);
      cluster.setBandwidth(25_000_000 + load.nextLong(100_000_001));
      calmAt = cluster.nowMillis() + settings.safetyMillis * (30 + load.nextInt(41)) / 100;
    }
    settings.network.accept(cluster);
    for (int c = 0; c < settings.clients; c++) {
      startClient(random);
    }
    long end = cluster.nowMillis() + settings.safetyMillis;
    String notLive;
    String crash = null;
    try {
      while (cluster.nowMillis() < end) {
        if (cluster.nowMillis() >= calmAt) {
          long began = cluster.nowMillis();
          calm.run(edge::endAll, this::changeUnderWay,
              2_000 + load.nextLong(2_001), calmConditions());
          end += cluster.nowMillis() - began; // the calm phase takes no time from the faults
          calmAt = Long.MAX_VALUE;
        }
        cluster.runFor(settings.faultMinMillis
            + random.nextInt((int) (settings.faultMaxMillis - settings.faultMinMillis)));
        injectFault(random);
        if (edgeFaults && random.nextInt(100) < settings.edgeFaultPercent) {
          edge.inject(random);
        }
        if (settings.membershipChanges) {
          changeMembership(random);
        }
      }
      edge.endAll();
      faultsOver = true;
      notLive = livenessPhase(random);
      clientsStopped = true;
      if (notLive == null) {
        quiesce();
      }
    } catch (RuntimeException e) {
      // Something the nodes' own failure handling did not catch (such as a restart that failed):
      // report it as this seed's violation, so that it is printed with its seed.
      notLive = "the run stopped";
      crash = "the run stopped: " + NodeFailures.stackTrace(e);
    }
    List<String> violations = new ArrayList<>();
    if (crash != null) {
      violations.add(crash);
    } else if (notLive == null) {
      violations.addAll(finalStates());
    }
    violations.addAll(0, cluster.violations());
    violations.addAll(history.check(cluster.appliedEntries(), settings.model()));
    long smFailures = cluster.stateMachineFailures();
    boolean failed = notLive != null || !violations.isEmpty() || smFailures > 0
        || cluster.acknowledgedCount() == 0;
    String finalState = !failed ? ""
        : cluster.describe() + "journal (the last faults and leaders):\n" + cluster.journal() + "\n";
    SimulationReport.Load loadSeen = new SimulationReport.Load(calm.windows(), calm.unsettled(),
        calm.leaderChanges(), largeCommands, maxSizeCommands, options.maxCommandBytes(),
        cluster.slowSyncs(), cluster.bulkMessagesRefused());
    return new SimulationReport(seed, nodes, cluster.events(), faults + edge.injected(),
        changesCommitted, cluster.acknowledgedCount(), cluster.messagesSent(),
        cluster.messagesDropped(), cluster.messagesDuplicated(), history.operations(),
        edge.counts(), loadSeen, notLive == null, notLive == null ? "" : notLive,
        List.copyOf(violations),
        smFailures, smFailures == 0 ? "" : cluster.firstStateMachineFailure(), finalState,
        replay(seed, nodes));
  }

  /**
   * How to replay a run: the seed, and where to give it. A run is a function of its seed and its
   * settings, which the test that built it gives again.
   */
  static String replay(long seed, int nodes) {
    return "replay: seed " + seed + " (" + nodes + " nodes). Rerun the same test with only this"
        + " seed: annotate it @SimulationTest(replay = " + seed + ") (dev.floe.raft.sim.junit),"
        + " or run it with -Dfloe.sim.replay=" + seed + ", or give its builder .seed(" + seed
        + ")";
  }

  private String calmConditions() {
    return "every node up, no cut link, loss, long delay, pause or late timer; disks flushing in "
        + settings.slowSyncMinMillis + ".." + settings.slowSyncMaxMillis + " ms; commands up to "
        + options.maxCommandBytes() + " bytes";
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
      cluster.setLossAndDuplication(random.nextDouble() * settings.maxDropRate,
          random.nextDouble() * settings.maxDuplicateRate);
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
        // Only a node outside every configuration it could come back in may lose its disk, and
        // only while faults are still injected: a removal that commits during the liveness phase
        // must not leave a node down that nothing restarts (seed 1098205, 5 nodes).
        boolean stillOut = cluster.leader()
            .map(l -> !cluster.configuration(l).contains(removed)).orElse(false);
        if (wipe && stillOut && !faultsOver) {
          cluster.wipeToJoin(removed); // restarted later by a restart fault or the liveness phase
        }
      }));
    } else {
      return;
    }
    changeVia = leader.get();
    changeViaIncarnation = cluster.incarnation(changeVia);
    change.thenRun(() -> changesCommitted++);
  }

  /**
   * Whether a membership change is under way: its future is pending, on the incarnation it went
   * through (a crashed one never completes it).
   */
  private boolean changeUnderWay() {
    return change != null && !change.isDone() && cluster.isUp(changeVia)
        && cluster.incarnation(changeVia) == changeViaIncarnation;
  }

  /** Cuts the leader, with fewer than half of the others, off from the rest (both ways). */
  private void isolateWithMinority(NodeId leader, RandomGenerator random) {
    List<NodeId> ids = cluster.ids();
    List<NodeId> side = new ArrayList<>(List.of(leader));
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

  /**
   * Heals everything and restarts every machine; then a leader must commit the workload's liveness
   * command and every member catch up to it within the liveness bound.
   *
   * @return null if the cluster was live, or why not
   */
  private String livenessPhase(RandomGenerator random) {
    cluster.heal();
    cluster.setLossAndDuplication(0, 0);
    cluster.setLongDelays(0, 0, 0);
    for (NodeId id : cluster.ids()) {
      if (!cluster.isUp(id)) {
        cluster.restart(id);
      }
    }
    long bound = livenessBound;
    long deadline = cluster.nowMillis() + bound;
    // Like a client, retry the probe until it commits: the first leader found may be a stale one
    // about to step down (check-quorum), which answers with a failure.
    long target = -1;
    Throwable lastFailure = null;
    int attempts = 0;
    while (target < 0 && cluster.nowMillis() < deadline) {
      if (!cluster.runUntil(() -> cluster.leader().isPresent(), deadline - cluster.nowMillis())) {
        return "no leader within " + bound + " ms of healing every fault";
      }
      NodeId leader = cluster.leader().orElseThrow();
      byte[] command = Objects.requireNonNull(workload.livenessCommand(random),
          "the workload's liveness command is null");
      History.Write write = history.writeInvoked(command, cluster.nowMicros());
      CompletableFuture<SubmitResult> probe = cluster.submit(leader, command);
      attempts++;
      cluster.runUntil(probe::isDone, Math.max(1, deadline - cluster.nowMillis()));
      if (probe.isDone() && !probe.isCompletedExceptionally()) {
        SubmitResult r = probe.join();
        history.acknowledged(write, cluster.nowMicros(), r.index(), r.result());
        target = r.index();
      } else {
        lastFailure = probe.isDone() ? probe.handle((r, e) -> e).join() : null;
        cluster.runFor(50);
      }
    }
    if (target < 0) {
      return "the liveness command did not commit within " + bound + " ms of healing ("
          + attempts + " attempts" + (lastFailure == null ? ""
          : "; the last failed with " + rootCause(lastFailure)) + ")";
    }
    long committed = target;
    // Every member of the configuration in effect catches up; removed nodes get no more entries.
    boolean caughtUp = cluster.runUntil(() -> {
      Optional<NodeId> leader = cluster.leader();
      if (leader.isEmpty()) {
        return false;
      }
      Configuration members = cluster.configuration(leader.get());
      return members.members().stream().allMatch(id -> cluster.ids().contains(id)
          && cluster.isUp(id) && cluster.status(id).appliedIndex() >= committed);
    }, Math.max(1, deadline - cluster.nowMillis()));
    return caughtUp ? null : "not every member applied the liveness command (index " + committed
        + ") within " + bound + " ms of healing";
  }

  private static Throwable rootCause(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
        || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Once the clients stopped: runs until every member applied all that the leader holds. */
  private void quiesce() {
    cluster.runUntil(() -> {
      Optional<NodeId> leader = cluster.leader();
      if (leader.isEmpty()) {
        return false;
      }
      RaftStatus l = cluster.status(leader.get());
      return l.commitIndex() == l.lastIndex() && cluster.configuration(leader.get()).members()
          .stream().allMatch(id -> cluster.ids().contains(id) && cluster.isUp(id)
              && cluster.status(id).appliedIndex() == l.commitIndex());
    }, 3_000);
  }

  /** Nodes that applied through the same index must hold the same state. */
  private List<String> finalStates() {
    List<String> problems = new ArrayList<>();
    Map<NodeId, Map.Entry<Long, byte[]>> states = cluster.finalStates();
    Map<Long, NodeId> firstAt = new java.util.TreeMap<>();
    for (Map.Entry<NodeId, Map.Entry<Long, byte[]>> s : states.entrySet()) {
      long index = s.getValue().getKey();
      NodeId first = firstAt.putIfAbsent(index, s.getKey());
      if (first != null && !Arrays.equals(states.get(first).getValue(), s.getValue().getValue())) {
        problems.add("final state: " + first + " and " + s.getKey() + " both applied through"
            + " index " + index + " but hold different states (" + Bytes.show(
            states.get(first).getValue()) + " and " + Bytes.show(s.getValue().getValue()) + ")");
      }
    }
    return problems;
  }

  /** The next command a client submits: during a calm phase under load, a third are large. */
  private byte[] nextCommand(RandomGenerator random) {
    if (calm.underWay() && random.nextInt(3) == 0) {
      int max = options.maxCommandBytes();
      int min = Math.min(LARGE_COMMAND_BYTES + 1, max);
      int size = random.nextInt(4) == 0 ? max : min + random.nextInt(max - min + 1);
      byte[] large = workload.largeCommand(random, size);
      if (large != null) {
        largeCommands++;
        if (large.length == max) {
          maxSizeCommands++;
        }
        return large;
      }
    }
    return Objects.requireNonNull(workload.command(random), "the workload's command is null");
  }

  /**
   * A client: one operation at a time through a random node. Writes go through a client session and
   * are retried with the same sequence until answered, so each is applied once; reads alternate
   * between linearizable and lease reads. Every operation is recorded for the linearizability check.
   */
  private void startClient(RandomGenerator random) {
    long clientId = random.nextLong();
    clientStep(clientId, 1, null, random);
  }

  private void clientStep(long clientId, long sequence, History.Write retry,
      RandomGenerator random) {
    if (clientsStopped) {
      return;
    }
    List<NodeId> up = cluster.ids().stream().filter(cluster::isUp).toList();
    if (up.isEmpty()) {
      later(20, () -> clientStep(clientId, sequence, retry, random));
      return;
    }
    NodeId via = up.get(random.nextInt(up.size()));
    if (retry == null && random.nextInt(100) < 30) {
      byte[] query = workload.query(random);
      if (query != null) {
        read(clientId, sequence, via, query, random);
        return;
      }
    }
    History.Write write = retry != null ? retry
        : history.writeInvoked(nextCommand(random), cluster.nowMicros());
    answerOrGiveUp(cluster.submit(via, write.command, new SessionRequest(clientId, sequence)),
        r -> {
          if (r != null) {
            history.acknowledged(write, cluster.nowMicros(), r.index(), r.result());
            later(random.nextInt(30), () -> clientStep(clientId, sequence + 1, null, random));
          } else {
            // Refused or unknown: the session makes a retry with the same sequence safe.
            later(random.nextInt(30), () -> clientStep(clientId, sequence, write, random));
          }
        }, () -> clientStep(clientId, sequence, write, random));
  }

  private void read(long clientId, long sequence, NodeId via, byte[] query,
      RandomGenerator random) {
    long invoked = cluster.nowMicros();
    ReadConsistency consistency =
        random.nextBoolean() ? ReadConsistency.LINEARIZABLE : ReadConsistency.LEASE;
    answerOrGiveUp(cluster.query(via, query, consistency), v -> {
      if (v != null) {
        history.read(query, v, invoked, cluster.nowMicros(), how(consistency, via));
      }
      later(random.nextInt(30), () -> clientStep(clientId, sequence, null, random));
    }, () -> clientStep(clientId, sequence, null, random));
  }

  private static String how(ReadConsistency consistency, NodeId via) {
    return "a " + consistency.name().toLowerCase(java.util.Locale.ROOT) + " read through " + via;
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
    if (clientsStopped || !cluster.isUp(via) || others.isEmpty()) {
      return;
    }
    History.Write write = history.writeInvoked(nextCommand(random), cluster.nowMicros());
    NodeId writeVia = others.get(random.nextInt(others.size()));
    answerOrGiveUp(cluster.submit(writeVia, write.command), r -> {
      if (r != null) {
        history.acknowledged(write, cluster.nowMicros(), r.index(), r.result());
        readThrough(via, random);
      }
    }, () -> {});
  }

  private void readThrough(NodeId via, RandomGenerator random) {
    if (!cluster.isUp(via)) {
      return;
    }
    byte[] query = workload.query(random);
    if (query == null) {
      return;
    }
    long invoked = cluster.nowMicros();
    ReadConsistency consistency =
        random.nextInt(3) == 0 ? ReadConsistency.LINEARIZABLE : ReadConsistency.LEASE;
    answerOrGiveUp(cluster.query(via, query, consistency), v -> {
      if (v != null) {
        history.read(query, v, invoked, cluster.nowMicros(), how(consistency, via));
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
  private <T> void answerOrGiveUp(CompletableFuture<T> operation, Consumer<T> onAnswer,
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

  /**
   * Builds a {@link Simulation}. Every setting has a default; the sizes (nodes, durations,
   * clients, fault rates) are those of Floe's own CI, which runs the same faults.
   */
  public static final class Builder {
    private int nodes = 3;
    private long seed = 1;
    private long safetyMillis = 10_000;
    private long livenessMillis = 10_000;
    private int clients = 3;
    private RaftOptions options =
        RaftOptions.builder().electionTimeout(150, 300).maxCommandBytes(1 << 20).build();
    private boolean optionsGiven;
    private Supplier<? extends StateMachine> stateMachines = RegisterStateMachine::new;
    private boolean customStateMachine;
    private Function<StateMachine, byte[]> digest;
    private Supplier<? extends Workload> workloads = () -> new RegisterWorkload(null);
    private boolean customWorkload;
    /** The model given, or null; see {@link #model()}. */
    private Supplier<? extends Model> models;
    private boolean modelGiven;
    private SnapshotOptions snapshots = new SnapshotOptions(40, 8, 16);
    private boolean customSnapshots;
    private boolean membershipChanges = true;
    private Supplier<SimDisk> disks = MemoryDisk::new;
    private boolean edgeFaults = true;
    private int edgeFaultPercent = 30;
    private long faultMinMillis = 20;
    private long faultMaxMillis = 320;
    private double maxDropRate = 0.2;
    private double maxDuplicateRate = 0.1;
    private int calmPercent = 25;
    private long slowSyncMinMillis = 10;
    private long slowSyncMaxMillis = 200;
    /** Changes the simulated network before the run starts (for Floe's own tests). */
    private Consumer<SimCluster> network = c -> {};

    private Builder() {}

    /** Changes the simulated network before the run starts: a test's own conditions. */
    Builder network(Consumer<SimCluster> network) {
      this.network = Objects.requireNonNull(network);
      return this;
    }

    /**
     * Sets the cluster size (default 3; Floe's CI runs 3 and 5).
     *
     * @param nodes the number of voting members, 1 to 9
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
     * Sets the seed of every random choice (default 1): the same seed replays the same run.
     *
     * @param seed any value
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Sets how long the two phases of a run last, in virtual time.
     *
     * @param safetyMillis the fault phase, at least 0 (default 10,000 ms)
     * @param livenessMillis the most the healed cluster may take to commit a command, at least 1
     *     (default 10,000 ms)
     * @return this builder
     */
    public Builder durations(long safetyMillis, long livenessMillis) {
      if (safetyMillis < 0 || livenessMillis < 1) {
        throw new IllegalArgumentException("durations must be >= 0 ms and >= 1 ms: "
            + safetyMillis + ", " + livenessMillis);
      }
      this.safetyMillis = safetyMillis;
      this.livenessMillis = livenessMillis;
      return this;
    }

    /**
     * Sets how many clients submit and read concurrently (default 3).
     *
     * @param clients at least 1
     * @return this builder
     */
    public Builder clients(int clients) {
      if (clients < 1) {
        throw new IllegalArgumentException("clients must be >= 1: " + clients);
      }
      this.clients = clients;
      return this;
    }

    /**
     * The nodes' options. By default {@link SimCluster#defaultOptions()} (elections after 150 to
     * 300 ms, so that a run of virtual seconds goes through many) with {@code maxCommandBytes}
     * 1 MiB, the largest command the calm phases under load submit (a larger maximum makes them
     * submit larger commands, costing memory and time). Loaded runs, whose disks take up to 200
     * ms a flush, elect with timeouts of five to ten of the slowest flushes (1 to 2 s by default)
     * unless options are given, and give the healed cluster ten such timeouts to commit.
     *
     * @param options the options
     * @return this builder
     */
    public Builder options(RaftOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      this.optionsGiven = true;
      return this;
    }

    /**
     * The state machine under test: {@code machines} makes a fresh, empty one for every node
     * incarnation (and for the snapshot round-trip check). Give its {@link #workload} too, and
     * preferably a {@link #model}. States are compared by their snapshot bytes, which must then
     * be canonical; {@link #stateMachine(Supplier, Function)} compares them by a digest instead.
     *
     * @param machines makes each state machine
     * @return this builder
     */
    public Builder stateMachine(Supplier<? extends StateMachine> machines) {
      this.stateMachines = Objects.requireNonNull(machines, "machines");
      this.customStateMachine = true;
      this.digest = null;
      return this;
    }

    /**
     * The state machine under test, whose states are compared by {@code digest}: a canonical image
     * of the state (for instance a hash over its sorted entries) that is equal exactly when two
     * states are. Compared after each snapshot's round trip, and across nodes at the end.
     *
     * @param <S> the state machine's class, which {@code digest} reads
     * @param machines makes each state machine, fresh and empty
     * @param digest the canonical image of a state machine's state
     * @return this builder
     */
    @SuppressWarnings("unchecked")
    public <S extends StateMachine> Builder stateMachine(Supplier<S> machines,
        Function<? super S, byte[]> digest) {
      stateMachine(machines);
      Objects.requireNonNull(digest, "digest");
      this.digest = state -> digest.apply((S) state);
      return this;
    }

    /**
     * Sets what the clients submit and read (by default the register's workload, which fits only
     * the default state machine).
     *
     * @param workloads makes the workload of each run
     * @return this builder
     */
    public Builder workload(Supplier<? extends Workload> workloads) {
      this.workloads = Objects.requireNonNull(workloads, "workloads");
      this.customWorkload = true;
      return this;
    }

    /**
     * Sets the sequential model every result and read is checked against, linearizably. Without a
     * model the runs check Raft's safety, determinism, snapshots and the final state, but not what
     * the results and reads should be.
     *
     * @param models makes the model of each check, or null for no model
     * @return this builder
     */
    public Builder model(Supplier<? extends Model> models) {
      this.models = models;
      this.modelGiven = true;
      return this;
    }

    /**
     * The model of the runs: the one given; else, with the register and its workload, the
     * register itself; else none.
     */
    private Supplier<? extends Model> model() {
      if (modelGiven) {
        return models;
      }
      return customStateMachine || customWorkload ? null
          : () -> Model.of(new RegisterStateMachine());
    }

    /**
     * Sets the commands clients submit to the default register state machine.
     *
     * @param commands makes each command, distinct from the others (by default {@code c-<n>})
     * @return this builder
     */
    public Builder commands(Supplier<byte[]> commands) {
      Objects.requireNonNull(commands, "commands");
      this.workloads = () -> new RegisterWorkload(commands);
      return this;
    }

    /**
     * When nodes snapshot and compact, or {@code null} for no snapshots (for a state machine that
     * takes none). By default very often, with tiny chunks, so that runs exercise compaction and
     * InstallSnapshot: every 40 entries, 8 trailing, 16-byte chunks; in runs with a calm phase
     * under load, 64 KiB chunks and a snapshot every 8 largest commands' worth of bytes too.
     *
     * @param snapshots when to snapshot, or null for never
     * @return this builder
     */
    public Builder snapshots(SnapshotOptions snapshots) {
      this.snapshots = snapshots;
      this.customSnapshots = true;
      return this;
    }

    private SnapshotOptions snapshotsUnderLoad() {
      if (customSnapshots || snapshots == null) {
        return snapshots;
      }
      return new SnapshotOptions(snapshots.thresholdEntries(), snapshots.trailingEntries(),
          64 * 1024, 8L * options.maxCommandBytes());
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
     * Makes each machine's disk (by default a {@link MemoryDisk}): for instance a real log store
     * over a simulated file system, to run it under the simulator's crashes.
     *
     * @param disks makes each machine's disk
     * @return this builder
     */
    public Builder disks(Supplier<SimDisk> disks) {
      this.disks = Objects.requireNonNull(disks, "disks");
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
     * Sets how often faults come: after each step of virtual time one fault is injected (a crash,
     * a restart, a partition, a heal, a transfer, a new loss rate), and sometimes also a fault at
     * the edges.
     *
     * @param minMillis the shortest step, at least 1 (default 20 ms)
     * @param maxMillis the longest step, above {@code minMillis} (default 320 ms)
     * @param edgeFaultPercent the chance of an edge fault per step, 0 to 100 (default 30)
     * @return this builder
     */
    public Builder faultRates(long minMillis, long maxMillis, int edgeFaultPercent) {
      if (minMillis < 1 || maxMillis <= minMillis || edgeFaultPercent < 0
          || edgeFaultPercent > 100) {
        throw new IllegalArgumentException("fault steps must be 1 <= min < max ms and the edge"
            + " fault chance 0 to 100 %: " + minMillis + ".." + maxMillis + " ms, "
            + edgeFaultPercent + " %");
      }
      this.faultMinMillis = minMillis;
      this.faultMaxMillis = maxMillis;
      this.edgeFaultPercent = edgeFaultPercent;
      return this;
    }

    /**
     * Sets the most messages a loss fault drops and duplicates: each such fault draws its rates up
     * to these.
     *
     * @param maxDropRate the highest drop rate, in [0, 1) (default 0.2)
     * @param maxDuplicateRate the highest duplication rate, in [0, 1) (default 0.1)
     * @return this builder
     */
    public Builder messageLoss(double maxDropRate, double maxDuplicateRate) {
      if (!(maxDropRate >= 0 && maxDropRate < 1 && maxDuplicateRate >= 0
          && maxDuplicateRate < 1)) {
        throw new IllegalArgumentException("loss and duplication rates must be in [0, 1): "
            + maxDropRate + ", " + maxDuplicateRate);
      }
      this.maxDropRate = maxDropRate;
      this.maxDuplicateRate = maxDuplicateRate;
      return this;
    }

    /**
     * Sets the chance that a run is loaded: its disks are slow for the whole run (see {@link
     * #slowDisks}), its links carry 25 to 125 MB/s, and once, in the middle of the fault phase,
     * the faults stop for a calm phase (every node up, the network healthy) in which clients submit
     * commands up to {@code maxCommandBytes} (from the workload's {@link Workload#largeCommand}).
     * If the leader changes in it once the cluster has settled, that is a violation: "leadership
     * is stable under load".
     *
     * @param percent the chance, 0 to 100 (default 25; 0 for none)
     * @return this builder
     */
    public Builder calmPhasesUnderLoad(int percent) {
      if (percent < 0 || percent > 100) {
        throw new IllegalArgumentException("percent must be 0 to 100: " + percent);
      }
      this.calmPercent = percent;
      return this;
    }

    /**
     * Sets how long a slow disk's flush takes in loaded runs: it does one at a time, and the
     * writes handed over during one wait for the next, which covers them all.
     *
     * @param minMillis the shortest flush, at least 0 (default 10 ms)
     * @param maxMillis the longest flush, at least {@code minMillis} and above 0 (default 200 ms)
     * @return this builder
     */
    public Builder slowDisks(long minMillis, long maxMillis) {
      if (minMillis < 0 || maxMillis < minMillis || maxMillis == 0) {
        throw new IllegalArgumentException("flush times must be 0 <= min <= max, max > 0: "
            + minMillis + ".." + maxMillis + " ms");
      }
      this.slowSyncMinMillis = minMillis;
      this.slowSyncMaxMillis = maxMillis;
      return this;
    }

    /**
     * Runs a simulation with these settings.
     *
     * @return what the simulation saw
     * @throws IllegalStateException if a state machine of your own was given without a workload
     */
    public SimulationReport run() {
      if (customStateMachine && !customWorkload) {
        throw new IllegalStateException("a state machine of your own needs a workload of its own:"
            + " give Simulation.Builder#workload (the default one submits commands for the"
            + " built-in register)");
      }
      return new Simulation(this).run();
    }
  }
}
