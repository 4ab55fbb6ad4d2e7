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

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Renders a Micrometer registry in the Prometheus text exposition format, version 0.0.4 (what
 * {@code GET /metrics} serves), so that Prometheus can scrape a node with no client library.
 *
 * <p>Names follow Prometheus' conventions: dots and other characters a name may not hold become
 * underscores; a counter ends in {@code _total}; a timer is in seconds and ends in {@code
 * _seconds}; a gauge or distribution in bytes ends in {@code _bytes}, one in milliseconds is
 * converted to seconds and ends in {@code _seconds}. A timer or distribution is a {@code
 * summary} (its published percentiles as {@code quantile} samples, then {@code _sum} and {@code
 * _count}), or a {@code histogram} if the registry keeps buckets for it, and its maximum is a
 * gauge of its own ({@code ..._max}). Each family has its {@code # HELP} (the meter's
 * description) and {@code # TYPE} line, then all of its samples; label values are escaped.
 *
 * <p>Stateless; reads the registry on the calling thread (cheap: gauges read published values).
 */
final class PrometheusText {
  /** The content type of the format. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private PrometheusText() {}

  /** One metric family: its type, help and sample lines, in the order they are written. */
  private static final class Family {
    final String type;
    final String help;
    final List<String> samples = new ArrayList<>();

    Family(String type, String help) {
      this.type = type;
      this.help = help;
    }
  }

  /** Returns every meter of {@code registry}, as Prometheus text, families sorted by name. */
  static String render(MeterRegistry registry) {
    Map<String, Family> families = new TreeMap<>();
    List<Meter> meters = new ArrayList<>(registry.getMeters());
    meters.sort((a, b) -> a.getId().toString().compareTo(b.getId().toString()));
    for (Meter meter : meters) {
      // A percentile gauge Micrometer derives from a timer: rendered as that timer's quantiles.
      if (meter.getId().syntheticAssociation() == null) {
        add(families, meter);
      }
    }
    StringBuilder out = new StringBuilder();
    families.forEach((name, f) -> {
      out.append("# HELP ").append(name).append(' ').append(escapeHelp(f.help)).append('\n');
      out.append("# TYPE ").append(name).append(' ').append(f.type).append('\n');
      f.samples.forEach(s -> out.append(s).append('\n'));
    });
    return out.toString();
  }

  private static void add(Map<String, Family> families, Meter meter) {
    Meter.Id id = meter.getId();
    String base = name(id.getName());
    String help = id.getDescription() == null ? id.getName() : id.getDescription();
    String labels = labels(id.getTags(), null);
    if (meter instanceof Counter c) {
      sample(families, suffixed(base, "_total"), "counter", help, labels, c.count());
    } else if (meter instanceof FunctionCounter c) {
      sample(families, suffixed(base, "_total"), "counter", help, labels, c.count());
    } else if (meter instanceof TimeGauge g) {
      sample(families, suffixed(base, "_seconds"), "gauge", help, labels,
          g.value(TimeUnit.SECONDS));
    } else if (meter instanceof Gauge g) {
      double scale = "milliseconds".equals(id.getBaseUnit()) ? 1e-3 : 1;
      sample(families, base + unitSuffix(base, id.getBaseUnit()), "gauge", help, labels,
          g.value() * scale);
    } else if (meter instanceof Timer t) {
      distribution(families, suffixed(base, "_seconds"), help, id, t.takeSnapshot(), true);
    } else if (meter instanceof DistributionSummary s) {
      distribution(families, base + unitSuffix(base, id.getBaseUnit()), help, id,
          s.takeSnapshot(), false);
    } else {
      // Any other kind (long task timers, function timers): each measurement as it comes.
      for (Measurement m : meter.measure()) {
        sample(families, name(base + "_" + m.getStatistic().getTagValueRepresentation()),
            "untyped", help, labels, m.getValue());
      }
    }
  }

  /** A summary (or a histogram, if the snapshot has buckets), then its maximum as a gauge. */
  private static void distribution(Map<String, Family> families, String name, String help,
      Meter.Id id, HistogramSnapshot snapshot, boolean seconds) {
    CountAtBucket[] buckets = snapshot.histogramCounts();
    String type = buckets.length > 0 ? "histogram" : "summary";
    Family f = family(families, name, type, help);
    if (f == null) {
      return;
    }
    List<Tag> tags = id.getTags();
    if (buckets.length > 0) {
      for (CountAtBucket b : buckets) {
        double le = seconds ? b.bucket(TimeUnit.SECONDS) : b.bucket();
        f.samples.add(name + "_bucket" + labels(tags, Tag.of("le", value(le))) + " "
            + value(b.count()));
      }
      f.samples.add(name + "_bucket" + labels(tags, Tag.of("le", "+Inf")) + " "
          + value(snapshot.count()));
    } else {
      for (ValueAtPercentile p : snapshot.percentileValues()) {
        double v = seconds ? p.value(TimeUnit.SECONDS) : p.value();
        f.samples.add(name + labels(tags, Tag.of("quantile", value(p.percentile()))) + " "
            + value(v));
      }
    }
    String labels = labels(tags, null);
    f.samples.add(name + "_sum" + labels + " "
        + value(seconds ? snapshot.total(TimeUnit.SECONDS) : snapshot.total()));
    f.samples.add(name + "_count" + labels + " " + value(snapshot.count()));
    sample(families, name + "_max", "gauge", help + " (the largest, over a recent window)",
        labels, seconds ? snapshot.max(TimeUnit.SECONDS) : snapshot.max());
  }

  private static void sample(Map<String, Family> families, String name, String type, String help,
      String labels, double value) {
    Family f = family(families, name, type, help);
    if (f != null) {
      f.samples.add(name + labels + " " + value(value));
    }
  }

  /** The family {@code name}, created if new; null if it exists with another type. */
  private static Family family(Map<String, Family> families, String name, String type,
      String help) {
    Family f = families.computeIfAbsent(name, n -> new Family(type, help));
    return f.type.equals(type) ? f : null;
  }

  /** The suffix a gauge or distribution of {@code unit} gets: only for bytes and time. */
  private static String unitSuffix(String base, String unit) {
    if ("bytes".equals(unit)) {
      return base.endsWith("_bytes") ? "" : "_bytes";
    } else if ("seconds".equals(unit) || "milliseconds".equals(unit)) {
      return base.endsWith("_seconds") ? "" : "_seconds";
    }
    return "";
  }

  private static String suffixed(String base, String suffix) {
    return base.endsWith(suffix) ? base : base + suffix;
  }

  /** A metric name: {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, every other character an underscore. */
  static String name(String raw) {
    StringBuilder b = new StringBuilder(raw.length() + 1);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'
          || (i > 0 && c >= '0' && c <= '9');
      b.append(ok ? c : (i == 0 && c >= '0' && c <= '9') ? "_" + c : "_");
    }
    return b.length() == 0 ? "_" : b.toString();
  }

  /** A label name: as a metric name, without colons. */
  private static String labelName(String raw) {
    return name(raw).replace(':', '_');
  }

  /** {@code {k="v",...}} of {@code tags} and {@code extra} (last), or empty if there are none. */
  private static String labels(List<Tag> tags, Tag extra) {
    if (tags.isEmpty() && extra == null) {
      return "";
    }
    StringBuilder b = new StringBuilder("{");
    for (Tag t : tags) {
      appendLabel(b, t);
    }
    if (extra != null) {
      appendLabel(b, extra);
    }
    b.setCharAt(b.length() - 1, '}');
    return b.toString();
  }

  private static void appendLabel(StringBuilder b, Tag t) {
    b.append(labelName(t.getKey())).append("=\"").append(escapeLabel(t.getValue())).append("\",");
  }

  /** A label value: backslash, double quote and line feed escaped. */
  static String escapeLabel(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** A HELP text: backslash and line feed escaped. */
  static String escapeHelp(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }

  /** A sample value: an integer without a fraction, NaN, +Inf, -Inf, or a Java double. */
  static String value(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    } else if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
