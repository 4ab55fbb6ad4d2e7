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

import dev.floe.raft.spi.MonotonicClock;

/**
 * A simulated machine's clock: it runs at its own rate against virtual time (a crystal a little
 * fast or slow) from its own origin, and keeps running across the node's crashes and pauses, as a
 * machine's monotonic clock does. The node's {@link MonotonicClock} reads it, and its timers are
 * measured with it: on a fast clock a timer of {@code d} ms fires after less than {@code d} ms of
 * virtual time, but never before the clock has advanced {@code d} ms.
 *
 * <p>Used on the simulator's one thread only.
 */
final class SimClock {
  private final Scheduler scheduler;
  /** Clock nanoseconds per virtual nanosecond. */
  private double rate = 1.0;
  /** The reading, and the virtual time, when the rate last changed. */
  private long baseNanos;
  private long baseMicros;

  SimClock(Scheduler scheduler, long originNanos) {
    this.scheduler = scheduler;
    this.baseNanos = originNanos;
    this.baseMicros = scheduler.nowMicros();
  }

  double rate() {
    return rate;
  }

  /** From now on the clock runs at {@code rate} times virtual time; the reading stays continuous. */
  void setRate(double rate) {
    if (!(rate > 0)) {
      throw new IllegalArgumentException("a clock rate must be positive: " + rate);
    }
    baseNanos = nanos();
    baseMicros = scheduler.nowMicros();
    this.rate = rate;
  }

  /** The reading now, in nanoseconds. */
  long nanos() {
    return baseNanos + (long) ((scheduler.nowMicros() - baseMicros) * 1000.0 * rate);
  }

  /** The virtual time in which this clock advances {@code millis}, rounded up. */
  long virtualMicros(long millis) {
    return (long) Math.ceil(millis * 1000.0 / rate);
  }
}
