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
package dev.floe.raft.bench.chart;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result lines of one peers-harness {@code results.txt}: each line that starts with
 * {@code system=} and carries {@code c=}, {@code ops_per_s=} and {@code p99_us=} (the harness's
 * "Output format"). Other lines ({@code settings}, {@code stats}, comments, failed runs, which
 * have no {@code ops_per_s=}) are skipped, and so are the limit probe's {@code system=limit-...}
 * lines: they measure the machine (a loopback echo at 500k/s would squash every Raft system
 * against the y axis), not a system to compare.
 */
final class HarnessResults {
  private HarnessResults() {}

  /** One (system, C) result of a run. */
  record Point(String system, int concurrency, double opsPerSecond, double p99Micros) {}

  /**
   * Parses the lines of {@code source} (named in errors).
   *
   * @throws IllegalArgumentException naming the source, line and key of a value that is not a
   *     number, or of a C that is not positive
   */
  static List<Point> parse(String source, List<String> lines) {
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Map<String, String> tokens = tokens(lines.get(i).trim());
      if (tokens.getOrDefault("system", "").startsWith("limit-")) {
        continue;
      }
      if (tokens.containsKey("c") && tokens.containsKey("ops_per_s") && tokens.containsKey("p99_us")) {
        String where = source + " line " + (i + 1);
        int c = (int) number(where, tokens, "c");
        if (c < 1) {
          throw new IllegalArgumentException(where + ": c must be at least 1, was " + c);
        }
        points.add(new Point(tokens.get("system"), c, number(where, tokens, "ops_per_s"),
            number(where, tokens, "p99_us")));
      }
    }
    return points;
  }

  /** The {@code key=value} tokens of a result line; empty for any other line. */
  private static Map<String, String> tokens(String line) {
    Map<String, String> tokens = new LinkedHashMap<>();
    if (!line.startsWith("system=")) {
      return tokens;
    }
    for (String token : line.split("\\s+")) {
      int eq = token.indexOf('=');
      if (eq > 0) {
        tokens.put(token.substring(0, eq), token.substring(eq + 1));
      }
    }
    return tokens;
  }

  private static double number(String where, Map<String, String> tokens, String key) {
    String text = tokens.get(key);
    try {
      double value = Double.parseDouble(text);
      if (!Double.isFinite(value) || value < 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where + ": " + key + "=" + text + " is not a non-negative number");
    }
  }
}
