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
package dev.floe.raft.metrics.micrometer;

import dev.floe.raft.spi.MetricsSink;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A {@link MetricsSink} that records a Floe node's meters in a Micrometer {@link MeterRegistry}:
 * hand it to {@code RaftNodeBuilder.metrics} and every figure the node, its log store and its
 * transport measure appears in the registry, under the names Floe gives them ({@code
 * floe.submit.commit.latency}, {@code floe.log.force.latency}, ...; {@code docs/metrics.md} lists
 * them all). It measures nothing itself: each call maps one Floe meter to one Micrometer meter.
 *
 * <ul>
 *   <li>A counter becomes a {@link io.micrometer.core.instrument.Counter}.
 *   <li>A timer becomes a {@link io.micrometer.core.instrument.Timer} that publishes its median, p90, p99 and p99.9 (over
 *       Micrometer's decaying window, two minutes by default) and a percentile histogram from
 *       0.1 ms to 30 s, for registries that can aggregate one (Prometheus, for example): latency
 *       is what an operator alerts on, at its tail.
 *   <li>A distribution becomes a {@link DistributionSummary} with Floe's unit as its base unit
 *       and the same percentiles.
 *   <li>A gauge becomes a {@link Gauge} that holds the node's value supplier strongly (it is not
 *       lost to garbage collection while the node runs) and is removed from the registry when
 *       Floe closes it. Registering a gauge under the name and tags of one already in the
 *       registry replaces it, so a node restarted in the same process reports its new state.
 * </ul>
 *
 * <p>Meters carry the tags Floe gives them ({@code node} on every one) and the common tags given
 * here (such as {@code cluster}); on a clash, Floe's tag wins.
 *
 * <p>One instance may serve several nodes of one process: their meters differ by the {@code node}
 * tag. Thread-safe, as Micrometer's meters are.
 */
public final class MicrometerMetrics implements MetricsSink {
  private static final double[] PERCENTILES = {0.5, 0.9, 0.99, 0.999};
  /** A fast fsync on an SSD, or an apply of a small batch, takes about this long. */
  private static final Duration MIN_EXPECTED_LATENCY = Duration.ofNanos(100_000);
  /** Longer than any election timeout or snapshot transfer a healthy cluster sees. */
  private static final Duration MAX_EXPECTED_LATENCY = Duration.ofSeconds(30);

  private final MeterRegistry registry;
  private final Tags commonTags;

  /**
   * Binds to {@code registry}, with no tags beyond Floe's own.
   *
   * @param registry where the meters are registered
   */
  public MicrometerMetrics(MeterRegistry registry) {
    this(registry, Tags.empty());
  }

  /**
   * Binds to {@code registry}, adding {@code commonTags} to every meter.
   *
   * @param registry where the meters are registered
   * @param commonTags tags every meter carries besides Floe's own, such as the cluster's name;
   *     Floe's tag wins where both name the same key
   */
  public MicrometerMetrics(MeterRegistry registry, Iterable<Tag> commonTags) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.commonTags = Tags.of(Objects.requireNonNull(commonTags, "commonTags"));
  }

  /**
   * {@return the registry the meters are registered in}
   */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Registers (or finds) the counter {@code name} with {@code tags}.
   *
   * @param name Floe's name for the meter
   * @param description what the meter counts
   * @param tags Floe's tags
   * @return a counter that increments the Micrometer counter
   */
  @Override
  public Counter counter(String name, String description, Map<String, String> tags) {
    io.micrometer.core.instrument.Counter counter = io.micrometer.core.instrument.Counter
        .builder(name).description(description).tags(tags(tags))
        .register(registry);
    return amount -> counter.increment(amount);
  }

  /**
   * Registers (or finds) the timer {@code name} with {@code tags}, publishing percentiles and a
   * percentile histogram.
   *
   * @param name Floe's name for the meter
   * @param description what the meter times
   * @param tags Floe's tags
   * @return a timer that records into the Micrometer timer, in nanoseconds
   */
  @Override
  public Timer timer(String name, String description, Map<String, String> tags) {
    io.micrometer.core.instrument.Timer timer = io.micrometer.core.instrument.Timer
        .builder(name).description(description).tags(tags(tags))
        .publishPercentiles(PERCENTILES)
        .publishPercentileHistogram()
        .minimumExpectedValue(MIN_EXPECTED_LATENCY)
        .maximumExpectedValue(MAX_EXPECTED_LATENCY)
        .register(registry);
    return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Registers (or finds) the distribution summary {@code name} with {@code tags}, publishing
   * percentiles.
   *
   * @param name Floe's name for the meter
   * @param description what one value is
   * @param unit what a value counts, the summary's base unit
   * @param tags Floe's tags
   * @return a distribution that records into the Micrometer summary
   */
  @Override
  public Distribution distribution(String name, String description, String unit,
      Map<String, String> tags) {
    DistributionSummary summary = DistributionSummary.builder(name).description(description)
        .baseUnit(unit).tags(tags(tags))
        .publishPercentiles(PERCENTILES)
        .register(registry);
    return summary::record;
  }

  /**
   * Registers the gauge {@code name} with {@code tags}, replacing a gauge of the same name and
   * tags that is already registered.
   *
   * @param name Floe's name for the meter
   * @param description what the value is
   * @param unit what the value counts, the gauge's base unit
   * @param tags Floe's tags
   * @param value read whenever the registry is read; held strongly until the gauge is closed
   * @return closing it removes the gauge from the registry
   */
  @Override
  public AutoCloseable gauge(String name, String description, String unit,
      Map<String, String> tags, LongSupplier value) {
    Objects.requireNonNull(value, "value");
    Tags all = tags(tags);
    registry.removeByPreFilterId(
        new Meter.Id(name, all, unit, description, Meter.Type.GAUGE));
    Gauge gauge = Gauge.builder(name, value, v -> (double) v.getAsLong())
        .description(description).baseUnit(unit).tags(all)
        .strongReference(true)
        .register(registry);
    return () -> {
      // Only this gauge: a node restarted meanwhile may have replaced it under the same id.
      if (registry.find(name).tags(all).gauges().stream().anyMatch(g -> g == gauge)) {
        registry.remove(gauge);
      }
    };
  }

  private Tags tags(Map<String, String> floeTags) {
    Tags all = commonTags;
    for (Map.Entry<String, String> e : floeTags.entrySet()) {
      all = all.and(e.getKey(), e.getValue());
    }
    return all;
  }
}
