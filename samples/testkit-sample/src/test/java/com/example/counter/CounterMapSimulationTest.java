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
import dev.floe.raft.sim.junit.SimulationTest;
import java.util.random.RandomGenerator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The counter map under the simulator's faults, checked against its model: what a user's project
 * runs. Each seed is one run of three nodes (the default) through 10 s of faults.
 */
class CounterMapSimulationTest {

  static Simulation.Builder counterMaps(long seed) {
    return Simulation.builder()
        .seed(seed)
        .stateMachine(CounterMap::new, CounterMap::digest)
        .workload(CounterWorkload::new)
        .model(CounterModel::new);
  }

  @SimulationTest(seeds = 12)
  void theCounterMapIsCorrectUnderFaults(long seed) {
    SimulationReport r = counterMaps(seed).run().assertPassed();
    assertThat(r.acknowledged()).isPositive();
  }

  @SimulationTest(seeds = 4, firstSeed = 100)
  void fiveNodesToo(long seed) {
    counterMaps(seed).nodes(5).run().assertPassed();
  }

  /** The workload's commands are binary: bytes of 0x80 and above are common, not rare. */
  @Test
  void theCommandsAreBinary() {
    CounterWorkload workload = new CounterWorkload();
    RandomGenerator random = new SplittableRandom(1);
    long high = 0;
    for (int i = 0; i < 200; i++) {
      for (byte b : workload.command(random)) {
        high += (b & 0xff) >= 0x80 ? 1 : 0;
      }
    }
    assertThat(high).isGreaterThan(100);
  }

  @Test
  void aLargeCommandHasExactlyTheSizeAskedFor() {
    CounterWorkload workload = new CounterWorkload();
    RandomGenerator random = new SplittableRandom(2);
    for (int size : new int[] {40, 1_000, 65_537, 1 << 20}) {
      assertThat(workload.largeCommand(random, size)).hasSize(size);
    }
  }

  /** With a calm phase under load in every run: slow disks and batches of up to 1 MiB. */
  @SimulationTest(seeds = 2, firstSeed = 200)
  void underLoad(long seed) {
    SimulationReport r = counterMaps(seed).calmPhasesUnderLoad(100).run().assertPassed();
    assertThat(r.load().largeCommands()).isPositive();
  }
}
