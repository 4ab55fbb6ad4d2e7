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

import java.util.Objects;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * What the simulated clients do to the state machine under test: the commands they submit and the
 * queries they read with. Every method draws what it needs from the simulation's one seeded random
 * source, so a run replays from its seed; it must not use any other source of randomness, nor the
 * clock. A new workload is made for every run, so it may keep state (a counter for distinct keys).
 *
 * <p>The commands must be valid for the state machine: a state machine that throws is reported as
 * a failure of the run (encode an expected refusal in the result instead). Commands need not be
 * distinct. Called on the simulator's one thread.
 */
public interface Workload {

  /**
   * Makes the next command a client submits.
   *
   * @param random the simulation's seeded source, the only randomness to draw from
   * @return the command's bytes
   */
  byte[] command(RandomGenerator random);

  /**
   * Makes the next query a client reads with (linearizable or lease reads, checked against the
   * model).
   *
   * @param random the simulation's seeded source, the only randomness to draw from
   * @return the query's bytes, or null if the workload makes no reads (the default)
   */
  default byte[] query(RandomGenerator random) {
    return null;
  }

  /**
   * Makes the command the liveness phase submits once the cluster is healed, to see that it
   * commits.
   *
   * @param random the simulation's seeded source, the only randomness to draw from
   * @return the command's bytes; by default just the next {@link #command}
   */
  default byte[] livenessCommand(RandomGenerator random) {
    return command(random);
  }

  /**
   * Makes a large command, for the calm phases under load, which submit commands up to the nodes'
   * {@code maxCommandBytes} while disks are slow (see {@link
   * Simulation.Builder#calmPhasesUnderLoad}).
   *
   * @param random the simulation's seeded source, the only randomness to draw from
   * @param sizeBytes the command's size: return exactly that many bytes, or the largest commands
   *     never reach the maximum
   * @return the command's bytes, or null if the workload has none (the default: the calm phases
   *     then submit its ordinary commands)
   */
  default byte[] largeCommand(RandomGenerator random, int sizeBytes) {
    return null;
  }

  /**
   * Makes a workload from two functions.
   *
   * @param commands makes each command, as {@link #command} does
   * @param queries makes each query, as {@link #query} does; it may return null, or be null, for no
   *     reads
   * @return a workload whose liveness and large commands are the defaults
   */
  static Workload of(Function<RandomGenerator, byte[]> commands,
      Function<RandomGenerator, byte[]> queries) {
    Objects.requireNonNull(commands, "commands");
    return new Workload() {
      @Override
      public byte[] command(RandomGenerator random) {
        return commands.apply(random);
      }

      @Override
      public byte[] query(RandomGenerator random) {
        return queries == null ? null : queries.apply(random);
      }
    };
  }
}
