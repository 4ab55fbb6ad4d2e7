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

import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Where a node reports what it measures: counters, timers, distributions and gauges, each named
 * and tagged by Floe. Floe does the measuring; a binding only records (the module
 * {@code raft-metrics-micrometer} binds Micrometer). Without one, {@link #NONE} records nothing
 * and the node skips the measuring too.
 *
 * <p>Meters are asked for once, when a node starts (or when a peer first appears) and recorded
 * into from the node's threads, its event loop among them: recording must be cheap, thread-safe
 * and never block. A gauge's value is read by whoever reads the meters, on any thread.
 *
 * <p>Names use dots ({@code floe.submit.commit.latency}); every meter of a node carries the tag
 * {@code node}. {@code docs/operations.md} lists them all.
 */
public interface MetricsSink {

  /** Records nothing. */
  MetricsSink NONE = new MetricsSink() {
    @Override
    public Counter counter(String name, String description, Map<String, String> tags) {
      return amount -> {};
    }

    @Override
    public Timer timer(String name, String description, Map<String, String> tags) {
      return nanos -> {};
    }

    @Override
    public Distribution distribution(String name, String description, String unit,
        Map<String, String> tags) {
      return value -> {};
    }

    @Override
    public AutoCloseable gauge(String name, String description, String unit,
        Map<String, String> tags, LongSupplier value) {
      return () -> {};
    }
  };

  /** A count that only grows. */
  interface Counter {
    /**
     * Adds to the count.
     *
     * @param amount how much the count grows by, at least 1
     */
    void increment(long amount);
  }

  /** Durations. */
  interface Timer {
    /**
     * Records one duration.
     *
     * @param nanos the duration, in nanoseconds
     */
    void record(long nanos);
  }

  /** Sizes or counts of something per event (bytes per snapshot, entries per force). */
  interface Distribution {
    /**
     * Records one value.
     *
     * @param value the size or count, in the unit the distribution was created with
     */
    void record(long value);
  }

  /**
   * Creates a counter; asked for once per meter, never on the path that records into it.
   *
   * @param name the meter's dotted name, such as {@code floe.elections.campaigns}
   * @param description what it counts, in one sentence, for whoever reads the meters
   * @param tags the meter's tags, {@code node} among them
   * @return where the node records increments
   */
  Counter counter(String name, String description, Map<String, String> tags);

  /**
   * Creates a timer; asked for once per meter, never on the path that records into it.
   *
   * @param name the meter's dotted name, such as {@code floe.submit.commit.latency}
   * @param description what it times, in one sentence, for whoever reads the meters
   * @param tags the meter's tags, {@code node} among them
   * @return where the node records durations
   */
  Timer timer(String name, String description, Map<String, String> tags);

  /**
   * Creates a distribution; asked for once per meter, never on the path that records into it.
   *
   * @param name the meter's dotted name
   * @param description what it measures, in one sentence, for whoever reads the meters
   * @param unit what a value counts, such as {@code bytes} or {@code entries}
   * @param tags the meter's tags, {@code node} among them
   * @return where the node records values
   */
  Distribution distribution(String name, String description, String unit,
      Map<String, String> tags);

  /**
   * Registers a value read whenever the meters are read (a queue's depth, a follower's lag).
   *
   * @param name the meter's dotted name
   * @param description what the value is, in one sentence, for whoever reads the meters
   * @param unit what the value counts
   * @param tags the meter's tags, {@code node} among them
   * @param value reads the current value; called on the reader's thread, so it must be
   *     thread-safe and quick
   * @return closing it removes the gauge (a follower that left, a node that stopped)
   */
  AutoCloseable gauge(String name, String description, String unit, Map<String, String> tags,
      LongSupplier value);
}
