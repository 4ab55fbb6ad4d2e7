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

import dev.floe.raft.spi.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How the simulator compares the states of the state machine under test: by a digest the user
 * gives, or else by the bytes of a snapshot (which must then be canonical: the same state always
 * snapshots to the same bytes, as {@code docs/state-machine.md} asks). Used for the snapshot round
 * trip (a snapshot restored into a new instance must give the state it was taken from) and for the
 * final state (every node that applied the same entries holds the same state).
 *
 * <p>Used on the simulator's one thread only.
 */
final class StateChecks {
  private final Supplier<? extends StateMachine> machines;
  /** The user's digest, or null to compare snapshot bytes. */
  private final Function<StateMachine, byte[]> digest;

  StateChecks(Supplier<? extends StateMachine> machines, Function<StateMachine, byte[]> digest) {
    this.machines = machines;
    this.digest = digest;
  }

  /** Checks that compare snapshot bytes. */
  static StateChecks bySnapshots(Supplier<? extends StateMachine> machines) {
    return new StateChecks(machines, null);
  }

  /**
   * The state's digest: the user's, or the bytes of a snapshot.
   *
   * @return null if there is no digest and the state machine takes no snapshots
   * @throws IOException if the snapshot fails
   */
  byte[] digest(StateMachine state) throws IOException {
    if (digest != null) {
      return digest.apply(state);
    }
    try {
      return snapshotBytes(state);
    } catch (UnsupportedOperationException e) {
      return null;
    }
  }

  static byte[] snapshotBytes(StateMachine state) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    state.snapshot(out);
    return out.toByteArray();
  }

  /**
   * Restores {@code image}, a snapshot of {@code original}, into a new instance and compares the
   * two states.
   *
   * @return null if they are the same, or what differs
   */
  String roundTrip(StateMachine original, byte[] image) {
    try {
      byte[] before = digest != null ? digest.apply(original) : image;
      StateMachine copy = machines.get();
      copy.restore(new ByteArrayInputStream(image));
      byte[] after = digest != null ? digest.apply(copy) : snapshotBytes(copy);
      if (Arrays.equals(before, after)) {
        return null;
      }
      return "a new state machine restored from it holds another state ("
          + (digest != null ? "digest " : "snapshot ") + Bytes.show(after) + ", the original's "
          + Bytes.show(before) + ")";
    } catch (IOException | RuntimeException e) {
      return "restoring it into a new state machine failed: " + NodeFailures.stackTrace(e);
    }
  }
}
