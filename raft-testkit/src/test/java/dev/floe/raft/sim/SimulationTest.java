package dev.floe.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Randomized simulations over many seeds, three- and five-node. A failing seed is printed with the
 * command that replays it; found bugs keep their seed in {@link SimulationRegressionTest}.
 *
 * <p>{@code -Dfloe.sim.seeds=N} changes the number of seeds per cluster size.
 */
class SimulationTest {
  private static final int SEEDS_THREE = Integer.getInteger("floe.sim.seeds", 600);
  private static final int SEEDS_FIVE = Integer.getInteger("floe.sim.seeds", 400);

  @Test
  void everySeedIsSafeAndTheHealedClusterMakesProgress() throws Exception {
    List<SimulationReport> reports = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    List<Future<SimulationReport>> runs = new ArrayList<>();
    LongStream.rangeClosed(1, SEEDS_THREE).forEach(seed ->
        runs.add(pool.submit(() -> Simulation.builder().nodes(3).seed(seed).run())));
    LongStream.rangeClosed(1, SEEDS_FIVE).forEach(seed ->
        runs.add(pool.submit(() -> Simulation.builder().nodes(5).seed(seed).run())));
    for (Future<SimulationReport> f : runs) {
      reports.add(f.get(10, TimeUnit.MINUTES));
    }
    pool.shutdown();
    long events = reports.stream().mapToLong(SimulationReport::events).sum();
    long faults = reports.stream().mapToLong(SimulationReport::faults).sum();
    long changes = reports.stream().mapToLong(SimulationReport::membershipChanges).sum();
    long acked = reports.stream().mapToLong(SimulationReport::acknowledged).sum();
    long dropped = reports.stream().mapToLong(SimulationReport::messagesDropped).sum();
    long duplicated = reports.stream().mapToLong(SimulationReport::messagesDuplicated).sum();
    List<SimulationReport> failed = reports.stream().filter(r -> !r.passed()).toList();
    long violations = reports.stream().mapToLong(r -> r.violations().size()).sum();
    SimulationReport.EdgeFaults edge = reports.stream().map(SimulationReport::edgeFaults)
        .reduce(SimulationReport.EdgeFaults.NONE, SimulationReport.EdgeFaults::plus);
    System.out.printf(
        "simulation: %d seeds (%d three-node, %d five-node), %d events, %d faults injected,"
            + " %d membership changes committed, %d messages dropped, %d duplicated,"
            + " %d submits acknowledged, %d violations,"
            + " %d runs not live; %d pauses, %d skewed clocks, %d late ticks, %d long delays,"
            + " %d edited member lists refused, %d swapped directories refused,"
            + " %d lost metas refused, %d node failures%n",
        reports.size(), SEEDS_THREE, SEEDS_FIVE, events, faults, changes, dropped, duplicated, acked,
        violations, reports.stream().filter(r -> !r.live()).count(), edge.pauses(),
        edge.skewedClocks(), edge.lateTicks(), edge.longDelays(), edge.editedMemberListsRefused(),
        edge.swappedDirectoriesRefused(), edge.lostMetasRefused(), edge.nodeFailures());
    for (SimulationReport r : failed) {
      System.out.printf("FAILED seed %d (%d nodes): live=%s violations=%s%n%s  replay: %s%n",
          r.seed(), r.nodes(), r.live(), r.violations(), r.finalState(), r.replayCommand());
    }
    assertThat(failed).as("failing seeds (replay commands printed above)").isEmpty();
  }

  /** Replays one seed: {@code -Dfloe.sim.seed=S -Dfloe.sim.nodes=N}. */
  @Test
  void replay() {
    Long seed = Long.getLong("floe.sim.seed");
    if (seed == null) {
      return; // nothing to replay unless asked
    }
    int nodes = Integer.getInteger("floe.sim.nodes", 3);
    SimulationReport r = Simulation.builder().nodes(nodes).seed(seed).run();
    System.out.println("replayed: " + r + "\n" + r.finalState());
    assertThat(r.violations()).isEmpty();
    assertThat(r.live()).isTrue();
  }

  @Test
  void theSameSeedReplaysTheSameRun() {
    SimulationReport a = Simulation.builder().nodes(3).seed(77).run();
    SimulationReport b = Simulation.builder().nodes(3).seed(77).run();
    assertThat(b).isEqualTo(a);
    assertThat(a.events()).isGreaterThan(1_000);
    assertThat(a.acknowledged()).isPositive();
  }
}
