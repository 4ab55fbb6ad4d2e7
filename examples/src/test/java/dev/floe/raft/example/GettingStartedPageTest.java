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
package dev.floe.raft.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code docs/getting-started.md} true: every Java block of the page, copied out of the
 * Markdown as it stands, compiles against Floe's modules with no warning, and the page's program
 * runs a three-node cluster and reads back what it wrote.
 */
class GettingStartedPageTest {
  private static final Path PAGE = Path.of("..", "docs", "getting-started.md");
  private static final Pattern JAVA_BLOCK =
      Pattern.compile("^```java\\n(.*?)^```$", Pattern.DOTALL | Pattern.MULTILINE);
  private static final Pattern TOP_LEVEL_CLASS =
      Pattern.compile("^(?:public\\s+)?(?:final\\s+)?class\\s+(\\w+)", Pattern.MULTILINE);

  @TempDir Path dir;

  @Test
  void everyJavaBlockOfThePageCompilesAndTheProgramReadsBackItsWrite() throws Exception {
    List<String> blocks = javaBlocks(Files.readString(PAGE));
    assertThat(blocks).as("Java blocks of %s", PAGE).hasSizeGreaterThanOrEqualTo(2);

    Path classes = compile(blocks);
    String output = runMain(classes, "GettingStarted", dir.resolve("data").toString(),
        Integer.toString(threeFreePorts()));

    assertThat(output).containsPattern("committed at index \\d+ in term \\d+")
        .contains("read through n3: 42");
  }

  @Test
  void thePageIncludesSnapshots() throws Exception {
    String program = javaBlocks(Files.readString(PAGE)).get(0);
    assertThat(program).contains(".snapshots(new FileSnapshotStore(");
  }

  private static List<String> javaBlocks(String markdown) {
    List<String> blocks = new ArrayList<>();
    Matcher m = JAVA_BLOCK.matcher(markdown);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  /** Compiles each block as one source file, named after its top-level class. */
  private Path compile(List<String> blocks) throws IOException {
    Path sources = Files.createDirectories(dir.resolve("src"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    List<String> args = new ArrayList<>(List.of("--release", "17", "-Xlint:all", "-Werror",
        "-classpath", testClassPath(), "-d", classes.toString()));
    for (String block : blocks) {
      Matcher m = TOP_LEVEL_CLASS.matcher(block);
      assertThat(m.find()).as("a top-level class in the block:%n%s", block).isTrue();
      Path file = sources.resolve(m.group(1) + ".java");
      Files.writeString(file, block);
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int exit = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
    assertThat(exit).as("javac on the page's code:%n%s",
        diagnostics.toString(StandardCharsets.UTF_8)).isZero();
    return classes;
  }

  /** Runs {@code main} of the compiled class in this JVM and returns what it printed. */
  private static String runMain(Path classes, String className, String... args)
      throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        GettingStartedPageTest.class.getClassLoader())) {
      Method main = loader.loadClass(className).getMethod("main", String[].class);
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) args);
    } finally {
      System.setOut(original);
    }
    String output = printed.toString(StandardCharsets.UTF_8);
    original.print(output);
    return output;
  }

  /** The test's class path: Floe's modules and their dependencies. */
  private static String testClassPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null ? surefire : System.getProperty("java.class.path");
  }

  /** The first of three consecutive free ports on the loopback address (bounded search). */
  private static int threeFreePorts() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int first;
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        first = s.getLocalPort();
      }
      if (first < 65533 && free(first) && free(first + 1) && free(first + 2)) {
        return first;
      }
    }
    throw new IllegalStateException("no three consecutive free ports");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
