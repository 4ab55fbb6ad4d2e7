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
package com.example.counter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.floe.raft.sim.Simulation;
import dev.floe.raft.sim.SimulationReport;
import dev.floe.raft.spi.StateMachine;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The simulator catches each buggy counter map, with the violation that names its bug. */
class BuggyCounterMapsTest {

  private static <S extends CounterMap> SimulationReport run(Supplier<S> machines, long seed) {
    return Simulation.builder().seed(seed)
        .stateMachine(machines, CounterMap::digest)
        .workload(CounterWorkload::new)
        .model(CounterModel::new)
        .run();
  }

  private static SimulationReport firstFailure(Supplier<? extends CounterMap> machines) {
    for (long seed = 1; seed <= 5; seed++) {
      SimulationReport r = run(machines, seed);
      if (!r.passed()) {
        return r;
      }
    }
    throw new AssertionError("no seed of 1 to 5 caught the bug");
  }

  @Test
  void aStateMachineThatGeneratesRandomIdsInApplyIsCaughtAsNotDeterministic() {
    SimulationReport r = firstFailure(BuggyCounterMaps.RandomIds::new);
    assertThat(r.violations()).anySatisfy(v -> assertThat(v).contains("determinism: ")
        .contains("got a different result at index"));
  }

  @Test
  void aSnapshotThatManglesKeysIsCaughtByTheRoundTrip() {
    SimulationReport r = firstFailure(BuggyCounterMaps.AsciiSnapshots::new);
    assertThat(r.violations()).anySatisfy(v -> assertThat(v).contains("snapshot round trip: ")
        .contains("does not restore its state"));
  }

  @Test
  void aStateMachineThatRejectsEveryCommandFailsWithAReportNamingTheException() {
    SimulationReport r = run(BuggyCounterMaps.WrongVersion::new, 1);
    assertThat(r.passed()).isFalse();
    assertThat(r.acknowledged()).isZero();
    assertThat(r.failures().get(0)).startsWith("the state machine threw")
        .contains("java.lang.IllegalArgumentException: unknown command version",
            "at com.example.counter.BuggyCounterMaps$WrongVersion.apply");
    assertThat(r.describe()).contains("no submit was acknowledged", "not live");
  }

  /** The counter map itself passes the same seeds: the failures above are the bugs'. */
  @Test
  void theCorrectCounterMapPassesTheSeedsThatCatchTheBugs() {
    Supplier<StateMachine> unused = CounterMap::new;
    assertThat(unused.get()).isInstanceOf(CounterMap.class);
    for (long seed = 1; seed <= 2; seed++) {
      run(CounterMap::new, seed).assertPassed();
    }
  }
}
