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

  /** The next command a client submits. */
  byte[] command(RandomGenerator random);

  /**
   * The next query a client reads with (linearizable or lease reads, checked against the model),
   * or null if the workload makes no reads: the default.
   */
  default byte[] query(RandomGenerator random) {
    return null;
  }

  /**
   * The command the liveness phase submits once the cluster is healed, to see that it commits: by
   * default just the next {@link #command}.
   */
  default byte[] livenessCommand(RandomGenerator random) {
    return command(random);
  }

  /**
   * A command of {@code sizeBytes} bytes, for the calm phases under load, which submit commands up
   * to the nodes' {@code maxCommandBytes} while disks are slow (see {@link
   * Simulation.Builder#calmPhasesUnderLoad}); or null if the workload has none (the default: the
   * calm phases then submit its ordinary commands). Return exactly {@code sizeBytes} bytes, or the
   * largest commands never reach the maximum.
   */
  default byte[] largeCommand(RandomGenerator random, int sizeBytes) {
    return null;
  }

  /**
   * A workload of the given commands and queries ({@code queries} may return null, or be null, for
   * no reads).
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
