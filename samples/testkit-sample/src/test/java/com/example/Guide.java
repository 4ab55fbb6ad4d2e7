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
package com.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code docs/testing.md} for the tests that keep it true. The module's build passes the
 * directory of the docs as the system property {@code floe.docs}.
 */
public final class Guide {
  private static final Path DOCS = Path.of(System.getProperty("floe.docs", "../../docs"));

  private Guide() {}

  /** The guide's text. */
  public static String text() {
    try {
      return Files.readString(DOCS.resolve("testing.md"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("docs/testing.md not found under " + DOCS, e);
    }
  }

  /**
   * The first code block that follows {@code marker} in the guide, whose opening fence names
   * {@code language} (empty for none).
   */
  public static String blockAfter(String marker, String language) {
    String guide = text();
    int at = guide.indexOf(marker);
    assertThat(at).as("the guide has the marker " + marker).isNotNegative();
    Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(guide);
    assertThat(m.find(at)).as("a ```" + language + " block after " + marker).isTrue();
    return m.group(1);
  }
}
