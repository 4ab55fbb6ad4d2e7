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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/testing.md} true: every Java block it shows is code this module compiles and
 * runs, either a whole test source ({@code <!-- KeyValueSimulationTest.java -->} before the
 * block) or lines of one ({@code <!-- from CounterMapSimulationTest.java -->}); the dependency it
 * tells users to add is this version of the testkit. (The failing report it shows is checked by
 * {@code com.example.counter.ReplayFromTheReportTest}, which runs that seed.)
 */
class TestingGuideTest {
  /** A Java block with the marker before it: group 1 is "from " for an excerpt, 2 the file. */
  private static final Pattern MARKED_JAVA =
      Pattern.compile("<!-- (from )?(\\S+\\.java) -->\n```java\n(.*?)```", Pattern.DOTALL);

  /** The test source named {@code fileName}, wherever it is under {@code src/test/java}. */
  private static Path source(String fileName) throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
      List<Path> found = files.filter(p -> p.getFileName().toString().equals(fileName)).toList();
      assertThat(found).as("the test source " + fileName + " the guide names").hasSize(1);
      return found.get(0);
    }
  }

  @Test
  void everyJavaBlockOfTheGuideIsCodeThisModuleRuns() throws IOException {
    String guide = Guide.text();
    Matcher m = MARKED_JAVA.matcher(guide);
    int checked = 0;
    while (m.find()) {
      Path file = source(m.group(2));
      String code = Files.readString(file, StandardCharsets.UTF_8);
      if (m.group(1) == null) {
        // The whole file as it is, below its licence header.
        String body = code.startsWith("/*") ? code.substring(code.indexOf("*/\n") + 3) : code;
        assertThat(m.group(3)).as("docs/testing.md shows " + file + " as it is").isEqualTo(body);
      } else {
        assertThat(isExcerpt(m.group(3), code))
            .as("docs/testing.md shows these lines of " + file + " as they are:\n" + m.group(3))
            .isTrue();
      }
      checked++;
    }
    assertThat(checked).as("every ```java block of the guide follows a marker naming its source")
        .isEqualTo(guide.split("```java\n", -1).length - 1).isGreaterThanOrEqualTo(2);
  }

  @Test
  void theGuidesDependencyIsThisVersionOfTheTestkit() {
    String dependency = Guide.blockAfter("<!-- the dependency -->", "xml");
    assertThat(dependency).contains("<groupId>dev.floe</groupId>",
        "<artifactId>raft-testkit</artifactId>",
        "<version>" + System.getProperty("floe.version") + "</version>", "<scope>test</scope>");
  }

  @Test
  void anExcerptIsConsecutiveLinesOfTheSourceIndentedAlike() {
    String code = "class A {\n  void f() {\n    g();\n  }\n}\n";
    assertThat(isExcerpt("void f() {\n  g();\n}\n", code)).isTrue();
    assertThat(isExcerpt("void f() {\ng();\n}\n", code)).isFalse();
    assertThat(isExcerpt("void f() {\n  h();\n}\n", code)).isFalse();
  }

  /**
   * Whether the lines of {@code excerpt} are consecutive lines of {@code code}, all indented by
   * the same number of spaces more there (a method shown without its class's indentation).
   */
  static boolean isExcerpt(String excerpt, String code) {
    List<String> shown = List.of(excerpt.split("\n"));
    List<String> lines = new ArrayList<>(List.of(code.split("\n")));
    for (int start = 0; start + shown.size() <= lines.size(); start++) {
      String first = lines.get(start);
      int indent = first.length() - shown.get(0).length();
      if (indent >= 0 && first.equals(" ".repeat(indent) + shown.get(0))
          && matchesFrom(shown, lines, start, " ".repeat(indent))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesFrom(List<String> shown, List<String> lines, int start,
      String indent) {
    for (int i = 0; i < shown.size(); i++) {
      String line = lines.get(start + i);
      if (!(shown.get(i).isEmpty() ? line.isBlank() : line.equals(indent + shown.get(i)))) {
        return false;
      }
    }
    return true;
  }
}
