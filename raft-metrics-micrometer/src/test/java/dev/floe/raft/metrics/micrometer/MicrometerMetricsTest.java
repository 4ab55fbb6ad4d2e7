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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.spi.MetricsSink;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How each kind of Floe meter lands in the registry, and how gauges come and go. */
class MicrometerMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MicrometerMetrics metrics =
      new MicrometerMetrics(registry, Tags.of("cluster", "c1", "node", "common"));
  private final Map<String, String> n1 = Map.of("node", "n1");

  @Test
  void eachKindOfMeterBecomesItsMicrometerMeterWithFloesNameDescriptionAndUnit() {
    metrics.counter("floe.x.count", "things", n1).increment(3);
    metrics.timer("floe.x.latency", "a latency", n1).record(TimeUnit.MILLISECONDS.toNanos(7));
    metrics.distribution("floe.x.size", "sizes", "bytes", n1).record(4096);
    metrics.gauge("floe.x.depth", "a depth", "entries", n1, () -> 12);

    assertThat(registry.get("floe.x.count").counter().count()).isEqualTo(3);
    Timer timer = registry.get("floe.x.latency").timer();
    assertThat(timer.count()).isEqualTo(1);
    assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(7);
    assertThat(timer.takeSnapshot().percentileValues()).extracting(v -> v.percentile())
        .containsExactly(0.5, 0.9, 0.99, 0.999);
    assertThat(timer.getId().getDescription()).isEqualTo("a latency");
    assertThat(registry.get("floe.x.size").summary().totalAmount()).isEqualTo(4096);
    assertThat(registry.get("floe.x.size").summary().getId().getBaseUnit()).isEqualTo("bytes");
    assertThat(registry.get("floe.x.depth").gauge().value()).isEqualTo(12);
    assertThat(registry.get("floe.x.depth").gauge().getId().getBaseUnit()).isEqualTo("entries");
  }

  @Test
  void commonTagsAreAddedAndFloesOwnTagWinsAClash() {
    metrics.counter("floe.x.count", "things", n1).increment(1);
    Meter.Id id = registry.get("floe.x.count").counter().getId();
    assertThat(id.getTag("cluster")).isEqualTo("c1");
    assertThat(id.getTag("node")).isEqualTo("n1");
  }

  @Test
  void aGaugeRegisteredAgainReplacesTheOldOneAndClosingTheOldLeavesTheNew() throws Exception {
    AtomicLong before = new AtomicLong(1);
    AtomicLong after = new AtomicLong(2);
    AutoCloseable old = metrics.gauge("floe.term", "term", "terms", n1, before::get);
    // A node restarted in the same process registers the same gauge again.
    AutoCloseable fresh = metrics.gauge("floe.term", "term", "terms", n1, after::get);
    assertThat(registry.find("floe.term").gauges()).hasSize(1);
    assertThat(registry.get("floe.term").gauge().value()).isEqualTo(2);

    old.close();
    assertThat(registry.get("floe.term").gauge().value()).isEqualTo(2);
    fresh.close();
    assertThat(registry.find("floe.term").gauges()).isEmpty();
  }

  @Test
  void aGaugeKeepsItsSupplierThroughACollection() {
    metrics.gauge("floe.x.depth", "a depth", "entries", n1, () -> 5);
    System.gc();
    assertThat(registry.get("floe.x.depth").gauge().value()).isEqualTo(5);
  }

  @Test
  void countersAndTimersAskedForTwiceAreTheSameMeter() {
    MetricsSink.Counter a = metrics.counter("floe.x.count", "things", n1);
    MetricsSink.Counter b = metrics.counter("floe.x.count", "things", n1);
    a.increment(1);
    b.increment(2);
    assertThat(registry.find("floe.x.count").counters()).hasSize(1);
    assertThat(registry.get("floe.x.count").counter().count()).isEqualTo(3);
  }

  @Test
  void noRegistryIsAClearError() {
    assertThatThrownBy(() -> new MicrometerMetrics(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("registry");
  }
}
