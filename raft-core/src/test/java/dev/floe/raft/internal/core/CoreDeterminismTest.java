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

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core must be a pure function of its events and its injected random source: no clock, no
 * randomness of its own, no threads or locks, no I/O, no hash-ordered iteration.
 */
class CoreDeterminismTest {
  /** Maven runs the tests with the module as the working directory. */
  private static final Path CORE_SOURCES = Path.of("src/main/java/dev/floe/raft/internal/core");

  private static final List<Pattern> FORBIDDEN =
      Stream.of(
              "System\\.currentTimeMillis",
              "System\\.nanoTime",
              "Instant\\.now",
              "java\\.util\\.Random\\b",
              "\\bnew Random\\(",
              "ThreadLocalRandom",
              "Math\\.random",
              "\\bThread\\b",
              "\\bsynchronized\\b",
              "java\\.util\\.concurrent\\.locks",
              "java\\.io\\.File",
              "java\\.nio\\.file",
              "java\\.nio\\.channels",
              "java\\.net\\b",
              "\\bHashMap\\b",
              "\\bHashSet\\b")
          .map(Pattern::compile)
          .toList();

  /** Returns "file:line: pattern" for every forbidden use in the code (not the comments). */
  static List<String> violations(String fileName, List<String> lines) {
    List<String> out = new ArrayList<>();
    boolean inBlockComment = false;
    for (int i = 0; i < lines.size(); i++) {
      String code = lines.get(i);
      if (inBlockComment) {
        int end = code.indexOf("*/");
        if (end < 0) {
          continue;
        }
        code = code.substring(end + 2);
        inBlockComment = false;
      }
      code = code.replaceAll("/\\*.*?\\*/", "");
      int open = code.indexOf("/*");
      if (open >= 0) {
        code = code.substring(0, open);
        inBlockComment = true;
      }
      int lineComment = code.indexOf("//");
      if (lineComment >= 0) {
        code = code.substring(0, lineComment);
      }
      for (Pattern p : FORBIDDEN) {
        if (p.matcher(code).find()) {
          out.add(fileName + ":" + (i + 1) + ": " + p.pattern() + " in `" + lines.get(i).trim() + "`");
        }
      }
    }
    return out;
  }

  @Test
  void coreSourcesUseNoClockRandomnessThreadsIoOrHashOrder() throws IOException {
    assertThat(CORE_SOURCES).as("run from the raft-core module directory").isDirectory();
    List<Path> files;
    try (Stream<Path> s = Files.list(CORE_SOURCES)) {
      files = s.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
    assertThat(files).extracting(f -> f.getFileName().toString()).contains("RaftCore.java", "Leadership.java");

    List<String> found = new ArrayList<>();
    for (Path f : files) {
      found.addAll(violations(f.getFileName().toString(), Files.readAllLines(f)));
    }

    assertThat(found).as("non-deterministic constructs in raft-core's algorithm").isEmpty();
  }

  @Test
  void guardFlagsForbiddenCodeButNotComments() {
    List<String> lines =
        List.of(
            "import java.util.HashMap;",
            "// a HashMap would be wrong here",
            "/* Thread.sleep is wrong",
            "   synchronized too */ long t = System.nanoTime();",
            "import java.util.random.RandomGenerator;",
            "var r = new Random(1);",
            "LinkedHashMap<K, V> ordered;");

    assertThat(violations("X.java", lines))
        .hasSize(3)
        .anySatisfy(v -> assertThat(v).startsWith("X.java:1: "))
        .anySatisfy(v -> assertThat(v).startsWith("X.java:4: System\\.nanoTime"))
        .anySatisfy(v -> assertThat(v).startsWith("X.java:6: "));
  }

  /** Same seed, same events: the same Readys, one by one, on every node. */
  @Test
  void sameSeedAndSameEventsGiveIdenticalReadySequences() {
    TestNetwork first = runScript(42);
    TestNetwork second = runScript(42);

    for (String id : List.of("n1", "n2", "n3", "n4", "n5")) {
      assertThat(second.readies(id)).as("Readys of %s", id).isEqualTo(first.readies(id));
      assertThat(first.readies(id)).isNotEmpty();
    }
    assertThat(second.sent()).isEqualTo(first.sent());
  }

  /**
   * The scripted run is also a small safety check: the stores agree with the cores, and every node
   * applied a prefix of the same sequence despite the partition.
   */
  @Test
  void scriptedRunKeepsStoresAndAppliedSequencesConsistent() {
    TestNetwork net = runScript(42);

    net.assertStoresMatchCores();
    List<dev.floe.raft.message.LogEntry> longest = net.applied("n1");
    for (String id : List.of("n2", "n3", "n4", "n5")) {
      if (net.applied(id).size() > longest.size()) {
        longest = net.applied(id);
      }
    }
    assertThat(longest.size()).as("the run committed commands").isGreaterThan(20);
    for (String id : List.of("n1", "n2", "n3", "n4", "n5")) {
      List<dev.floe.raft.message.LogEntry> applied = net.applied(id);
      assertThat(applied).as("applied on %s", id).isEqualTo(longest.subList(0, applied.size()));
    }
  }

  @Test
  void theInjectedRandomSourceDecidesTheElectionTimeouts() {
    TestNetwork first = runScript(42);
    TestNetwork other = runScript(43);

    assertThat(other.sent()).isNotEqualTo(first.sent());
  }

  /** Elections, proposals, a partition and its healing, all driven by ticks. */
  private static TestNetwork runScript(long seed) {
    TestNetwork net = TestNetwork.of(CoreConfig.defaults(), seed, "n1", "n2", "n3", "n4", "n5");
    long requestId = 0;
    for (int tick = 0; tick < 400; tick++) {
      net.tickAll();
      if (tick % 7 == 0) {
        for (String id : List.of("n1", "n3")) {
          requestId++;
          net.step(id, new Event.Propose(List.of(new Event.Proposal(requestId, new byte[] {(byte) tick}))));
        }
      }
      if (tick == 120) {
        net.isolate("n1", "n2");
      }
      if (tick == 250) {
        net.heal();
      }
      net.deliverAll();
    }
    return net;
  }
}
