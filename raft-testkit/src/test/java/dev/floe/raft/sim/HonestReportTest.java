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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.spi.StateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * A report cannot pass by accident: a state machine that rejects every command fails the run, and
 * the report names its exception; a state machine of one's own needs a workload of its own; the
 * liveness phase submits the workload's command, not one of the simulator's.
 */
class HonestReportTest {

  /** Refuses every command, as a state machine that validates its input refuses foreign ones. */
  private static final class RejectsEverything implements StateMachine {
    @Override
    public byte[] apply(long index, byte[] command) {
      throw new IllegalArgumentException("unknown command of " + command.length + " bytes");
    }
  }

  /** Accepts only commands that start with 0x7f, and remembers the last one. */
  private static final class Picky implements StateMachine {
    @Override
    public byte[] apply(long index, byte[] command) {
      if (command.length == 0 || command[0] != 0x7f) {
        throw new IllegalArgumentException("not a picky command");
      }
      return new byte[0];
    }
  }

  private static Workload bytesStartingWith(byte first, List<byte[]> livenessCommands) {
    return new Workload() {
      @Override
      public byte[] command(RandomGenerator random) {
        byte[] c = new byte[1 + random.nextInt(8)];
        random.nextBytes(c);
        c[0] = first;
        return c;
      }

      @Override
      public byte[] livenessCommand(RandomGenerator random) {
        byte[] c = command(random);
        livenessCommands.add(c);
        return c;
      }
    };
  }

  @Test
  void aStateMachineThatRejectsEveryCommandFailsTheRunAndTheReportNamesTheException() {
    SimulationReport r = Simulation.builder().seed(3).stateMachine(RejectsEverything::new)
        .workload(() -> bytesStartingWith((byte) 1, new ArrayList<>())).snapshots(null).run();

    assertThat(r.passed()).isFalse();
    assertThat(r.acknowledged()).isZero();
    assertThat(r.live()).isFalse();
    assertThat(r.stateMachineFailures()).isPositive();
    assertThat(r.failures().get(0)).startsWith("the state machine threw")
        .contains("java.lang.IllegalArgumentException: unknown command of",
            "at dev.floe.raft.sim.HonestReportTest$RejectsEverything.apply");
    assertThat(r.failures()).contains("no submit was acknowledged, so nothing was tested");
    assertThat(r.describe()).contains("FAILED", "IllegalArgumentException", "replay: seed 3");
    assertThatThrownBy(r::assertPassed).isInstanceOf(AssertionError.class)
        .hasMessageContaining("unknown command of");
  }

  @Test
  void theLivenessPhaseSubmitsTheWorkloadsOwnCommand() {
    List<byte[]> probes = new ArrayList<>();
    SimulationReport r = Simulation.builder().seed(4).stateMachine(Picky::new)
        .workload(() -> bytesStartingWith((byte) 0x7f, probes)).snapshots(null).run();

    assertThat(r.passed()).as(r.describe()).isTrue();
    assertThat(probes).isNotEmpty().allSatisfy(p -> assertThat(p[0]).isEqualTo((byte) 0x7f));
  }

  @Test
  void aStateMachineOfOnesOwnWithoutAWorkloadIsRefusedWithAClearError() {
    assertThatThrownBy(() -> Simulation.builder().stateMachine(Picky::new).run())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a workload of its own");
  }

  @Test
  void theReplaySnippetNamesTheSeedAndTheAnnotationThatReplaysIt() {
    SimulationReport r = Simulation.builder().seed(17).durations(500, 5_000).run();
    assertThat(r.replay()).contains("seed 17", "@SimulationTest(replay = 17)",
        "-Dfloe.sim.replay=17", ".seed(17)");
  }
}
