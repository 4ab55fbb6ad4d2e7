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
package dev.floe.raft.bench.snapshot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The parent's handle on one {@link SnapshotBenchNode} child JVM: it sends a command line and waits
 * (bounded) for the answer line. Only this process's own child is ever stopped or killed, through
 * its {@link Process} handle.
 */
final class ChildNode implements AutoCloseable {
  private static final String EOF = "\u0000eof";

  final String id;
  final long launchNanos;
  private final Process process;
  private final PrintWriter in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Path log;

  private ChildNode(String id, Process process, Path log, long launchNanos) {
    this.id = id;
    this.process = process;
    this.log = log;
    this.launchNanos = launchNanos;
    this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
    Thread reader = new Thread(this::read, id + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts a child JVM on this JVM's class path; its standard error goes to {@code log}. */
  static ChildNode start(String id, List<String> jvmOptions, List<String> nodeArgs, Path log)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        SnapshotBenchNode.class.getName(), "--id", id));
    command.addAll(nodeArgs);
    long launch = System.nanoTime();
    Process p = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    return new ChildNode(id, p, log, launch);
  }

  /** Sends {@code command} and returns the words of its answer, which must start with {@code expect}. */
  String[] call(String command, String expect, long timeoutSeconds)
      throws IOException, InterruptedException {
    in.println(command);
    String line = lines.poll(timeoutSeconds, TimeUnit.SECONDS);
    if (line == null || line.equals(EOF)) {
      throw new IOException(id + " gave no answer to '" + command + "' within " + timeoutSeconds
          + " s" + (line == null ? "" : " (it exited)") + "; see " + log);
    }
    String[] words = line.split(" ");
    if (!words[0].equals(expect)) {
      throw new IOException(id + " answered '" + line + "' to '" + command + "'; see " + log);
    }
    return words;
  }

  /** Asks the node to stop and waits until its process is gone. */
  void stop() throws IOException, InterruptedException {
    call("stop", "STOPPED", 60);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new IOException(id + " did not exit after stopping");
    }
  }

  private void read() {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(SnapshotBenchNode.ANSWER_MARK)) {
          lines.add(line.substring(SnapshotBenchNode.ANSWER_MARK.length()));
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
    lines.add(EOF);
  }

  /** Closes the child's standard input (it exits on that), and kills it if it outlives 30 s. */
  @Override
  public void close() {
    in.close();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
