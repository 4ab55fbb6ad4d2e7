package com.example.counter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.floe.raft.sim.Simulation;
import dev.floe.raft.sim.SimulationReport;
import dev.floe.raft.sim.junit.SimulationTest;
import org.junit.jupiter.api.Test;

/**
 * A failing run is replayed in the user's own project from what its report says: the annotation
 * it prints, pasted on a test, runs that seed again, and the run is the same.
 */
class ReplayFromTheReportTest {
  /** The seed whose report the annotation below was pasted from. */
  private static final long FAILING_SEED = 1;

  private static SimulationReport asciiSnapshots(long seed) {
    return Simulation.builder().seed(seed)
        .stateMachine(BuggyCounterMaps.AsciiSnapshots::new, CounterMap::digest)
        .workload(CounterWorkload::new)
        .model(CounterModel::new)
        .run();
  }

  @Test
  void theReportPrintsTheAnnotationThatReplaysIt() {
    SimulationReport r = asciiSnapshots(FAILING_SEED);
    assertThat(r.passed()).isFalse();
    assertThat(r.replay()).contains("@SimulationTest(replay = 1)");
    assertThat(r.describe()).endsWith(r.replay());
  }

  @SimulationTest(replay = 1) // pasted from the report of seed 1
  void thePastedAnnotationReplaysTheSameRun(long seed) {
    assertThat(seed).isEqualTo(FAILING_SEED);
    SimulationReport replayed = asciiSnapshots(seed);
    assertThat(replayed.passed()).isFalse();
    assertThat(replayed).isEqualTo(asciiSnapshots(FAILING_SEED));
  }
}
