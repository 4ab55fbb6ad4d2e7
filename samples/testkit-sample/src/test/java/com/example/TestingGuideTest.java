package com.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/testing.md} true: the complete test it shows is, byte for byte, {@code
 * com.example.kv.KeyValueSimulationTest}, which this module compiles and runs; the dependency it
 * tells users to add is this version of the testkit.
 */
class TestingGuideTest {
  private static final Path DOCS = Path.of(System.getProperty("floe.docs", "../../docs"));

  private static String guide() throws IOException {
    return Files.readString(DOCS.resolve("testing.md"), StandardCharsets.UTF_8);
  }

  /** The code block that follows {@code marker} in the guide. */
  private static String blockAfter(String guide, String marker, String language) {
    int at = guide.indexOf(marker);
    assertThat(at).as("the guide has the marker " + marker).isNotNegative();
    Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL)
        .matcher(guide);
    assertThat(m.find(at)).as("a ```" + language + " block after " + marker).isTrue();
    return m.group(1);
  }

  @Test
  void theGuidesCompleteTestIsTheOneThisModuleRuns() throws IOException {
    String shown = blockAfter(guide(), "<!-- KeyValueSimulationTest.java -->", "java");
    Path source = Path.of("src/test/java/com/example/kv/KeyValueSimulationTest.java");
    assertThat(shown).as("docs/testing.md shows " + source + " as it is")
        .isEqualTo(Files.readString(source, StandardCharsets.UTF_8));
  }

  @Test
  void theGuidesDependencyIsThisVersionOfTheTestkit() throws IOException {
    String dependency = blockAfter(guide(), "<!-- the dependency -->", "xml");
    assertThat(dependency).contains("<groupId>dev.floe</groupId>",
        "<artifactId>raft-testkit</artifactId>",
        "<version>" + System.getProperty("floe.version") + "</version>", "<scope>test</scope>");
  }
}
