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
package dev.floe.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The structure of raft-core's sources, checked from the sources themselves: which package may
 * use which, with no cycle (the layers run cluster, message, spi, internal.core, then the API
 * package with the driver), and the size limits that keep each class to one concern.
 */
class ArchitectureTest {
  private static final Path SOURCES = Path.of("src", "main", "java");
  private static final String ROOT = "dev.floe.raft";
  /** A reference to a Floe type in code: its package is everything before the capital. */
  private static final Pattern REFERENCE =
      Pattern.compile("\\bdev\\.floe\\.raft((?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");
  /** Each package and the packages it may use (besides itself and the JDK and SLF4J). */
  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "cluster", Set.of(),
      "message", Set.of("cluster"),
      "spi", Set.of("cluster", "message"),
      "internal.core", Set.of("cluster", "message", "spi"),
      "", Set.of("cluster", "message", "spi", "internal.core"));

  private static Map<String, Set<String>> uses;
  private static Map<Path, Integer> lines;

  @BeforeAll
  static void readSources() throws IOException {
    uses = new TreeMap<>();
    lines = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        // Counted from the package declaration: the licence header above it is not code.
        lines.put(file, (int) source.substring(source.indexOf("\npackage ") + 1).lines().count());
        String pkg = relative(packageOf(source));
        Set<String> used = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
        Matcher m = REFERENCE.matcher(withoutCommentsAndStrings(source));
        while (m.find()) {
          String target = m.group(1).isEmpty() ? "" : m.group(1).substring(1);
          if (!target.equals(pkg)) {
            used.add(target);
          }
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static String packageOf(String source) {
    Matcher m = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE).matcher(source);
    assertThat(m.find()).as("a package declaration").isTrue();
    return m.group(1);
  }

  /** The package's name under dev.floe.raft ("" for dev.floe.raft itself). */
  private static String relative(String pkg) {
    return pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1);
  }

  /** Javadoc may name any type; only code counts. */
  private static String withoutCommentsAndStrings(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ")
        .replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
  }

  @Test
  void everyPackageUsesOnlyTheLayersBelowIt() {
    assertThat(uses.keySet()).as("the packages of raft-core").isEqualTo(ALLOWED.keySet());
    uses.forEach((pkg, used) -> assertThat(used)
        .as("packages used by %s", pkg.isEmpty() ? ROOT : ROOT + "." + pkg)
        .isSubsetOf(ALLOWED.get(pkg)));
  }

  @Test
  void thePackagesFormNoCycle() {
    List<String> order = new ArrayList<>();
    Set<String> visiting = new TreeSet<>();
    for (String pkg : uses.keySet()) {
      visit(pkg, visiting, order, new ArrayList<>());
    }
    assertThat(order).hasSameSizeAs(uses.keySet());
  }

  private static void visit(String pkg, Set<String> visiting, List<String> done,
      List<String> path) {
    if (done.contains(pkg)) {
      return;
    }
    path.add(pkg);
    assertThat(visiting.add(pkg)).as("a package cycle: %s",
        path.stream().map(p -> p.isEmpty() ? ROOT : ROOT + "." + p).toList()).isTrue();
    for (String next : uses.getOrDefault(pkg, Set.of())) {
      visit(next, visiting, done, path);
    }
    visiting.remove(pkg);
    path.remove(path.size() - 1);
    done.add(pkg);
  }

  @Test
  void theFacadeIsSmallAndNoClassOutgrowsOneConcern() {
    assertThat(lines.get(SOURCES.resolve("dev/floe/raft/RaftNode.java"))).isLessThanOrEqualTo(300);
    lines.forEach((file, count) -> assertThat(count).as("lines of %s", file)
        .isLessThanOrEqualTo(420));
  }
}
