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

import dev.floe.raft.cluster.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One command of a scenario file: its name, its positional arguments, its {@code key=value}
 * arguments, and the input lines between it and {@code ----}. The {@code quiet} flag, anywhere on
 * the line, hides the effects a command prints.
 *
 * <p>Every argument must be used: one that no handler asked for is reported as an error, so a
 * typo never passes silently.
 */
final class ScenarioCommand {
  final String name;
  final int line;
  final boolean quiet;
  final List<String> input;
  private final List<String> positional = new ArrayList<>();
  private final Map<String, String> named = new TreeMap<>();
  private final Set<String> usedNames = new TreeSet<>();
  private int usedPositional;

  ScenarioCommand(String commandLine, List<String> input, int line) {
    String[] tokens = commandLine.trim().split("\\s+");
    this.name = tokens[0];
    this.line = line;
    this.input = List.copyOf(input);
    boolean q = false;
    for (int i = 1; i < tokens.length; i++) {
      String t = tokens[i];
      int eq = t.indexOf('=');
      if (t.equals("quiet")) {
        q = true;
      } else if (eq > 0) {
        if (named.put(t.substring(0, eq), t.substring(eq + 1)) != null) {
          throw new IllegalArgumentException("argument " + t.substring(0, eq) + " given twice");
        }
      } else {
        positional.add(t);
      }
    }
    this.quiet = q;
  }

  /** The next positional argument, which must be there. */
  String next(String what) {
    if (usedPositional >= positional.size()) {
      throw new IllegalArgumentException(name + ": missing " + what);
    }
    return positional.get(usedPositional++);
  }

  NodeId node() {
    return NodeId.of(next("node"));
  }

  /** The remaining positional arguments. */
  List<String> rest() {
    List<String> out = positional.subList(usedPositional, positional.size());
    usedPositional = positional.size();
    return List.copyOf(out);
  }

  List<NodeId> restNodes() {
    return rest().stream().map(NodeId::of).toList();
  }

  boolean hasNext() {
    return usedPositional < positional.size();
  }

  /** A {@code key=value} argument, or {@code null}. */
  String named(String key) {
    usedNames.add(key);
    return named.get(key);
  }

  String named(String key, String otherwise) {
    String v = named(key);
    return v == null ? otherwise : v;
  }

  long number(String key, long otherwise) {
    String v = named(key);
    return v == null ? otherwise : Long.parseLong(v);
  }

  boolean flag(String key, boolean otherwise) {
    String v = named(key);
    if (v == null) {
      return otherwise;
    }
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(key + " must be true or false: " + v);
    }
    return Boolean.parseBoolean(v);
  }

  /** Fails if an argument was given that no handler read. */
  void checkAllUsed() {
    if (usedPositional < positional.size()) {
      throw new IllegalArgumentException(name + ": unexpected arguments "
          + positional.subList(usedPositional, positional.size()));
    }
    Set<String> unused = new TreeSet<>(named.keySet());
    unused.removeAll(usedNames);
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException(name + ": unknown arguments " + unused);
    }
  }
}
