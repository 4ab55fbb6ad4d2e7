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
package dev.floe.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checked-in byte fixtures of the file store's formats ({@code src/test/resources/fixtures},
 * described in its README): reading them, comparing today's encoding with them, and writing them
 * when asked with {@code -Dfloe.fixtures.rewrite=true}.
 *
 * <p>The file {@code fixtures/VERSIONS} records the format version each fixture was written at. A
 * rewrite never silently replaces a fixture with other bytes of the same version (readers could
 * not tell the layouts apart): it refuses, unless the version was bumped, or unless asked with
 * {@code -Dfloe.fixtures.rewrite=force} (for a format no released Floe wrote).
 */
final class FormatFixtures {
  static final Path DIRECTORY = Path.of("src", "test", "resources", "fixtures");
  private static final Path VERSIONS = DIRECTORY.resolve("VERSIONS");
  private static final String MODE = System.getProperty("floe.fixtures.rewrite", "false");

  /**
   * One fixture file.
   *
   * @param path its path under {@code fixtures/}
   * @param today today's encoding of its values
   * @param version the format and version the encoder writes, such as {@code "meta v2"}
   */
  record Fixture(String path, byte[] today, String version) {}

  private FormatFixtures() {}

  static boolean rewriting() {
    return !MODE.equals("false");
  }

  static boolean forced() {
    return MODE.equals("force");
  }

  /**
   * In rewrite mode, writes the fixtures whose bytes changed, and records their versions; writes
   * nothing if any of them may not be replaced.
   */
  static synchronized void regenerateIfAsked(List<Fixture> fixtures) {
    if (!rewriting()) {
      return;
    }
    Map<String, String> versions = versions();
    List<Fixture> changed = new ArrayList<>();
    for (Fixture f : fixtures) {
      Path file = DIRECTORY.resolve(f.path());
      byte[] old = Files.exists(file) ? readFile(file) : null;
      if (old == null || !Arrays.equals(old, f.today())) {
        if (old != null && f.version().equals(versions.get(f.path())) && !forced()) {
          throw new AssertionError("refusing to replace " + file + " with other bytes of the "
              + "same format version (" + f.version() + "): readers could not tell the layouts "
              + "apart. Bump the version, or pass -Dfloe.fixtures.rewrite=force if no released "
              + "Floe wrote this layout");
        }
        changed.add(f);
      }
    }
    for (Fixture f : fixtures) {
      versions.put(f.path(), f.version());
    }
    changed.forEach(f -> write(DIRECTORY.resolve(f.path()), f.today()));
    StringBuilder text = new StringBuilder("# The format version each fixture was written at "
        + "(see README.md). Written by the tests.\n");
    versions.forEach((path, version) -> text.append(path).append(' ').append(version)
        .append('\n'));
    write(VERSIONS, text.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The versions {@code fixtures/VERSIONS} records, by fixture path. */
  static Map<String, String> versions() {
    TreeMap<String, String> out = new TreeMap<>();
    if (!Files.exists(VERSIONS)) {
      return out;
    }
    for (String line : new String(readFile(VERSIONS), StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int space = line.indexOf(' ');
        out.put(line.substring(0, space), line.substring(space + 1));
      }
    }
    return out;
  }

  /** Asserts that every fixture is recorded at the version today's encoder writes. */
  static void assertVersionsCurrent(List<Fixture> fixtures) {
    List<String> stale = new ArrayList<>();
    Map<String, String> recorded = versions();
    for (Fixture f : fixtures) {
      if (!f.version().equals(recorded.get(f.path()))) {
        stale.add(f.path() + " is recorded at " + recorded.get(f.path()) + ", the code writes "
            + f.version());
      }
    }
    assertThat(stale).as("fixtures to regenerate with -Dfloe.fixtures.rewrite=true").isEmpty();
  }

  /** The checked-in bytes of a fixture. */
  static byte[] read(String path) {
    Path file = DIRECTORY.resolve(path);
    if (!Files.exists(file)) {
      throw new AssertionError("missing fixture " + file + " (write it with "
          + "-Dfloe.fixtures.rewrite=true)");
    }
    return readFile(file);
  }

  /**
   * Asserts that today's encoder writes exactly the checked-in bytes; the message says what to do
   * when the change is deliberate.
   *
   * @param bump the version constant to bump, for the message
   */
  static void assertUnchanged(Fixture f, String bump) {
    byte[] fixture = read(f.path());
    assertThat(f.today())
        .as("%s: today's encoder writes other bytes than the checked-in fixture (%s). A format "
            + "change must never be silent: bump %s so that readers tell the layouts apart, "
            + "then write the new fixture with -Dfloe.fixtures.rewrite=true",
            f.path(), firstDifference(fixture, f.today()), bump)
        .isEqualTo(fixture);
  }

  static String firstDifference(byte[] fixture, byte[] today) {
    int n = Math.min(fixture.length, today.length);
    for (int i = 0; i < n; i++) {
      if (fixture[i] != today[i]) {
        return String.format("first difference at offset %d: fixture 0x%02x, today 0x%02x", i,
            fixture[i] & 0xff, today[i] & 0xff);
      }
    }
    return "fixture " + fixture.length + " bytes, today " + today.length;
  }

  private static byte[] readFile(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
