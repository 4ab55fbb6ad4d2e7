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
package dev.floe.raft.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The renderer on a registry whose every meter is known: the exact lines, and the grammar. */
class PrometheusTextTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void aCounterEndsInTotalAndItsLabelValuesAreEscaped() {
    Counter.builder("floe.requests").description("requests by\noutcome")
        .tags("node", "n1", "odd", "a\"b\\c\nd").register(registry).increment(3);

    String text = PrometheusText.render(registry);

    assertThat(text).isEqualTo("# HELP floe_requests_total requests by\\noutcome\n"
        + "# TYPE floe_requests_total counter\n"
        + "floe_requests_total{node=\"n1\",odd=\"a\\\"b\\\\c\\nd\"} 3\n");
    PrometheusScrape scrape = PrometheusScrape.parse(text);
    assertThat(scrape.find("floe_requests_total").get(0).labels().get("odd"))
        .isEqualTo("a\"b\\c\nd");
  }

  @Test
  void aTimerIsASummaryInSecondsWithItsQuantilesSumCountAndMax() {
    Timer timer = Timer.builder("floe.log.force.latency").description("a force")
        .publishPercentiles(0.5, 0.99).tag("node", "n1").register(registry);
    timer.record(Duration.ofMillis(20));
    timer.record(Duration.ofMillis(40));

    PrometheusScrape scrape = PrometheusScrape.parse(PrometheusText.render(registry));

    assertThat(scrape.types).containsOnly(
        org.assertj.core.api.Assertions.entry("floe_log_force_latency_seconds", "summary"),
        org.assertj.core.api.Assertions.entry("floe_log_force_latency_seconds_max", "gauge"));
    assertThat(scrape.value("floe_log_force_latency_seconds_count", "node", "n1")).isEqualTo(2);
    assertThat(scrape.value("floe_log_force_latency_seconds_sum", "node", "n1"))
        .isCloseTo(0.060, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(scrape.value("floe_log_force_latency_seconds_max", "node", "n1"))
        .isCloseTo(0.040, org.assertj.core.data.Offset.offset(1e-9));
    // Micrometer's percentiles are approximate (a few percent).
    assertThat(scrape.value("floe_log_force_latency_seconds", "node", "n1", "quantile", "0.99"))
        .isBetween(0.038, 0.042);
  }

  @Test
  void gaugesInMillisecondsBecomeSecondsAndBytesKeepTheirSuffix() {
    AtomicLong silence = new AtomicLong(1500);
    Gauge.builder("floe.replication.silence", silence, AtomicLong::get).baseUnit("milliseconds")
        .tag("peer", "n2").register(registry);
    Gauge.builder("floe.commit.index", () -> 42).baseUnit("entries").register(registry);
    DistributionSummary.builder("floe.snapshot.size").baseUnit("bytes").register(registry)
        .record(4096);

    PrometheusScrape scrape = PrometheusScrape.parse(PrometheusText.render(registry));

    assertThat(scrape.value("floe_replication_silence_seconds", "peer", "n2")).isEqualTo(1.5);
    assertThat(scrape.value("floe_commit_index")).isEqualTo(42);
    assertThat(scrape.types).containsEntry("floe_snapshot_size_bytes", "summary");
    assertThat(scrape.value("floe_snapshot_size_bytes_sum")).isEqualTo(4096);
  }

  @Test
  void aHistogramHasCumulativeBucketsEndingInInf() {
    Timer timer = Timer.builder("floe.x.latency")
        .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100)).register(registry);
    timer.record(Duration.ofMillis(5));
    timer.record(Duration.ofMillis(50));
    timer.record(Duration.ofSeconds(1));

    PrometheusScrape scrape = PrometheusScrape.parse(PrometheusText.render(registry));

    assertThat(scrape.types).containsEntry("floe_x_latency_seconds", "histogram");
    assertThat(scrape.value("floe_x_latency_seconds_bucket", "le", "0.01")).isEqualTo(1);
    assertThat(scrape.value("floe_x_latency_seconds_bucket", "le", "0.1")).isEqualTo(2);
    assertThat(scrape.value("floe_x_latency_seconds_bucket", "le", "+Inf")).isEqualTo(3);
    assertThat(scrape.value("floe_x_latency_seconds_count")).isEqualTo(3);
  }

  @Test
  void valuesAreWrittenAsPrometheusReadsThem() {
    assertThat(PrometheusText.value(3)).isEqualTo("3");
    assertThat(PrometheusText.value(0.25)).isEqualTo("0.25");
    assertThat(PrometheusText.value(Double.NaN)).isEqualTo("NaN");
    assertThat(PrometheusText.value(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(PrometheusText.value(1e-7)).isEqualTo("1.0E-7");
    assertThat(PrometheusText.name("9lives.a-b")).isEqualTo("_9lives_a_b");
  }
}
