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
package dev.floe.raft.internal.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A scenario file parsed into its blocks: comment and blank lines, kept as they are, and cases,
 * each a command line, its input lines, {@code ----} and the expected output up to the next blank
 * line. {@link #render} writes it back, with the expected or the actual outputs, so that a rewrite
 * changes nothing but outputs.
 */
final class ScenarioFile {
  static final String SEPARATOR = "----";

  /** One command of the file, with what it is expected to print and what it printed. */
  static final class Case {
    final int line;
    final String command;
    final List<String> input;
    final List<String> expected;
    List<String> actual;

    Case(int line, String command, List<String> input, List<String> expected) {
      this.line = line;
      this.command = command;
      this.input = List.copyOf(input);
      this.expected = List.copyOf(expected);
    }
  }

  /** A block is a {@link Case} or a line kept verbatim (a comment or a blank line). */
  private final List<Object> blocks = new ArrayList<>();

  private ScenarioFile() {}

  static ScenarioFile parse(String name, List<String> lines) {
    ScenarioFile file = new ScenarioFile();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) {
        file.blocks.add(line);
        i++;
        continue;
      }
      int start = i++;
      List<String> input = new ArrayList<>();
      while (i < lines.size() && !lines.get(i).equals(SEPARATOR)) {
        if (lines.get(i).isBlank()) {
          throw new IllegalArgumentException(name + ":" + (start + 1) + ": '" + line
              + "' has no " + SEPARATOR + " line before the blank line " + (i + 1));
        }
        input.add(lines.get(i++));
      }
      if (i == lines.size()) {
        throw new IllegalArgumentException(name + ":" + (start + 1) + ": '" + line + "' has no "
            + SEPARATOR + " line");
      }
      i++;
      List<String> expected = new ArrayList<>();
      while (i < lines.size() && !lines.get(i).isBlank()) {
        expected.add(lines.get(i++));
      }
      file.blocks.add(new Case(start + 1, line, input, expected));
    }
    return file;
  }

  List<Case> cases() {
    return blocks.stream().filter(b -> b instanceof Case).map(b -> (Case) b).toList();
  }

  /** The file's text, with each case's actual output if {@code actual}, else the expected one. */
  String render(boolean actual) {
    StringBuilder out = new StringBuilder();
    for (Object b : blocks) {
      if (b instanceof Case c) {
        out.append(c.command).append('\n');
        c.input.forEach(l -> out.append(l).append('\n'));
        out.append(SEPARATOR).append('\n');
        (actual ? c.actual : c.expected).forEach(l -> out.append(l).append('\n'));
      } else {
        out.append(b).append('\n');
      }
    }
    return out.toString();
  }

  /**
   * A line diff of two outputs: common lines indented, expected ones marked {@code -}, actual ones
   * {@code +} (from a longest common subsequence, so that one changed line shows as one).
   */
  static List<String> diff(List<String> expected, List<String> actual) {
    int n = expected.size();
    int m = actual.size();
    int[][] lcs = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        lcs[i][j] = expected.get(i).equals(actual.get(j)) ? lcs[i + 1][j + 1] + 1
            : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && expected.get(i).equals(actual.get(j))) {
        out.add("  " + expected.get(i++));
        j++;
      } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.add("- " + expected.get(i++));
      } else {
        out.add("+ " + actual.get(j++));
      }
    }
    return out;
  }
}
