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
package dev.floe.raft.spi;

/**
 * A monotonic clock: the time a node measures elapsed real time with, where safety depends on it
 * (a leader's lease, a follower's refusal to vote while it hears from a leader). Ticks drive
 * timeouts; this clock bounds what ticks cannot, since a tick may run late on a busy or paused
 * process.
 *
 * <p>Production uses {@link #SYSTEM}; the simulator gives each node a virtual clock running at its
 * own rate, within the drift bound Floe assumes (see {@code docs/design.md}, "Time").
 *
 * <h2>Contract</h2>
 * Readings never decrease, have no fixed origin (only differences mean anything) and may be read
 * from any thread. A reading must not block.
 */
@FunctionalInterface
public interface MonotonicClock {
  /** {@link System#nanoTime()}. */
  MonotonicClock SYSTEM = System::nanoTime;

  /** {@return the current reading, in nanoseconds} */
  long nanos();
}
