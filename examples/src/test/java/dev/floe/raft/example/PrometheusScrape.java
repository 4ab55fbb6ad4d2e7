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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scraped page of Prometheus text (format 0.0.4), checked against the format's grammar as it is
 * parsed: every line is a {@code # HELP}, a {@code # TYPE} or a sample; each family has one TYPE,
 * given before its samples, which are contiguous; every sample belongs to a typed family (a
 * summary's or histogram's {@code _sum}, {@code _count} and {@code _bucket} included). Any
 * violation fails the test that scraped it, naming the line.
 */
final class PrometheusScrape {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final String LABEL_VALUE = "\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
  private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=" + LABEL_VALUE;
  private static final String VALUE = "(?:NaN|[+-]Inf|[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)";
  private static final Pattern SAMPLE = Pattern.compile(
      "(" + NAME + ")(\\{(?:" + LABEL + ")(?:," + LABEL + ")*\\})? (" + VALUE + ")");
  private static final Pattern ONE_LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=(" + LABEL_VALUE + ")");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");

  /** One sample: its metric name, labels and value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  final Map<String, String> types = new LinkedHashMap<>();
  final List<Sample> samples = new ArrayList<>();

  private PrometheusScrape() {}

  /** Parses {@code text}, failing on the first line that breaks the format. */
  static PrometheusScrape parse(String text) {
    PrometheusScrape s = new PrometheusScrape();
    Set<String> finished = new HashSet<>();
    String current = null;
    assertThat(text).as("the page ends with a line feed").endsWith("\n");
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      Matcher type = TYPE.matcher(line);
      Matcher sample = SAMPLE.matcher(line);
      if (type.matches()) {
        String family = type.group(1);
        assertThat(s.types).as("a second TYPE for %s", family).doesNotContainKey(family);
        assertThat(finished).as("samples of %s before its TYPE", family).doesNotContain(family);
        s.types.put(family, type.group(2));
        if (current != null) {
          finished.add(current);
        }
        current = family;
      } else if (HELP.matcher(line).matches()) {
        continue;
      } else if (sample.matches()) {
        String family = s.familyOf(sample.group(1));
        assertThat(family).as("the family of sample line '%s'", line).isNotNull();
        assertThat(family).as("sample line '%s' outside its family's block", line)
            .isEqualTo(current);
        s.samples.add(new Sample(sample.group(1), labels(sample.group(2)),
            parseValue(sample.group(3))));
      } else {
        throw new AssertionError("not a line of the Prometheus text format: '" + line + "'");
      }
    }
    return s;
  }

  private String familyOf(String sampleName) {
    if (types.containsKey(sampleName)) {
      return sampleName;
    }
    for (String suffix : List.of("_sum", "_count", "_bucket")) {
      if (sampleName.endsWith(suffix)) {
        String base = sampleName.substring(0, sampleName.length() - suffix.length());
        String type = types.get(base);
        if ("summary".equals(type) || "histogram".equals(type)) {
          return base;
        }
      }
    }
    return null;
  }

  private static Map<String, String> labels(String braces) {
    Map<String, String> labels = new HashMap<>();
    if (braces != null) {
      Matcher m = ONE_LABEL.matcher(braces);
      while (m.find()) {
        String quoted = m.group(2);
        String value = quoted.substring(1, quoted.length() - 1).replace("\\n", "\n")
            .replace("\\\"", "\"").replace("\\\\", "\\");
        assertThat(labels.put(m.group(1), value)).as("label %s twice", m.group(1)).isNull();
      }
    }
    return labels;
  }

  private static double parseValue(String v) {
    return switch (v) {
      case "NaN" -> Double.NaN;
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(v);
    };
  }

  /** The samples named {@code name} whose labels include {@code labels} (pairs). */
  List<Sample> find(String name, String... labels) {
    List<Sample> found = new ArrayList<>();
    for (Sample s : samples) {
      boolean match = s.name().equals(name);
      for (int i = 0; match && i < labels.length; i += 2) {
        match = labels[i + 1].equals(s.labels().get(labels[i]));
      }
      if (match) {
        found.add(s);
      }
    }
    return found;
  }

  /** The value of the one sample named {@code name} with {@code labels}; fails if not one. */
  double value(String name, String... labels) {
    List<Sample> found = find(name, labels);
    assertThat(found).as("samples %s %s", name, List.of(labels)).hasSize(1);
    return found.get(0).value();
  }

  /** The sum of the samples named {@code name} with {@code labels}, if there is any. */
  OptionalDouble sum(String name, String... labels) {
    List<Sample> found = find(name, labels);
    return found.isEmpty() ? OptionalDouble.empty()
        : OptionalDouble.of(found.stream().mapToDouble(Sample::value).sum());
  }
}
