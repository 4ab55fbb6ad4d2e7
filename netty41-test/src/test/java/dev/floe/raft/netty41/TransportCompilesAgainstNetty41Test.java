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
package dev.floe.raft.netty41;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every source file of the transport compiles against Netty 4.1: no API only 4.2 has is used,
 * not even on paths the cluster tests do not run. (Running the 4.2-built classes on 4.1, which
 * {@link ClusterOnNetty41Test} does, covers the binary side.)
 */
class TransportCompilesAgainstNetty41Test {

  @TempDir Path out;

  @Test
  void theTransportsSourcesCompileAgainstNetty41() throws IOException {
    Path sources = Path.of(System.getProperty("floe.transport.sources"));
    List<File> files;
    try (Stream<Path> walk = Files.walk(sources)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).map(Path::toFile).toList();
    }
    assertThat(files).hasSizeGreaterThan(10);
    // The class path of this test, Netty 4.1 and raft-core, without the transport's own classes.
    String classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.contains("raft-transport-netty"))
        .collect(Collectors.joining(File.pathSeparator));
    assertThat(classPath).contains("netty-transport-4.1.");

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    boolean compiled;
    try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, null)) {
      compiled = javac.getTask(null, fm, diagnostics,
          List.of("--release", "17", "-proc:none", "-classpath", classPath, "-d", out.toString()),
          null, fm.getJavaFileObjectsFromFiles(files)).call();
    }
    List<String> errors = diagnostics.getDiagnostics().stream()
        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
        .map(d -> d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(null))
        .toList();
    assertThat(errors).as("compiling against Netty 4.1").isEmpty();
    assertThat(compiled).isTrue();
  }
}
