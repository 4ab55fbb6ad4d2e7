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
import java.util.Arrays;

/**
 * The checked-in byte fixtures of raft-core's persisted formats ({@code
 * src/test/resources/fixtures}, described in its README): reading them, comparing today's encoding
 * with them, and writing them
 * when asked with {@code -Dfloe.fixtures.rewrite=true}.
 *
 * <p>A rewrite never silently replaces a fixture with other bytes: a fixture is named by its
 * format's version, so a deliberate change bumps the version and writes a new file. Replacing a
 * fixture of the same version takes {@code -Dfloe.fixtures.rewrite=force}.
 */
final class FormatFixtures {
  private static final Path DIRECTORY = Path.of("src", "test", "resources", "fixtures");
  private static final String MODE = System.getProperty("floe.fixtures.rewrite", "false");

  private FormatFixtures() {}

  /** In rewrite mode, writes today's encoding of a fixture (see the class comment). */
  static void regenerateIfAsked(String name, byte[] today) {
    if (MODE.equals("false")) {
      return;
    }
    Path file = DIRECTORY.resolve(name);
    try {
      if (Files.exists(file)) {
        byte[] old = Files.readAllBytes(file);
        if (Arrays.equals(old, today)) {
          return;
        }
        if (!MODE.equals("force")) {
          throw new AssertionError("refusing to replace " + file + " with other bytes: "
              + firstDifference(old, today) + ". Its format version did not change, so readers "
              + "could not tell the layouts apart: bump the version (the fixture's name follows "
              + "it), or pass -Dfloe.fixtures.rewrite=force if no released Floe wrote this one");
        }
      }
      Files.createDirectories(file.getParent());
      Files.write(file, today);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The checked-in bytes of a fixture. */
  static byte[] read(String name) {
    try {
      return Files.readAllBytes(DIRECTORY.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("missing fixture " + name + " (generate it with "
          + "-Dfloe.fixtures.rewrite=true)", e);
    }
  }

  /**
   * Asserts that today's encoder writes exactly the checked-in bytes; the message says what to do
   * when the change is deliberate.
   *
   * @param version where the format's version lives, for the message
   */
  static void assertUnchanged(String name, byte[] today, String version) {
    byte[] fixture = read(name);
    assertThat(today)
        .as("%s: today's encoder writes other bytes than the checked-in fixture (%s). A format "
            + "change must never be silent: bump %s so that readers tell the layouts apart, "
            + "then write the new fixture with -Dfloe.fixtures.rewrite=true",
            name, firstDifference(fixture, today), version)
        .isEqualTo(fixture);
  }

  private static String firstDifference(byte[] fixture, byte[] today) {
    int n = Math.min(fixture.length, today.length);
    for (int i = 0; i < n; i++) {
      if (fixture[i] != today[i]) {
        return String.format("first difference at offset %d: fixture 0x%02x, today 0x%02x", i,
            fixture[i] & 0xff, today[i] & 0xff);
      }
    }
    return "fixture " + fixture.length + " bytes, today " + today.length;
  }
}
