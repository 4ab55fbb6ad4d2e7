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
package dev.floe.raft.bench.cluster;

import dev.floe.raft.cluster.NodeId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The {@code processes} mode: three child JVMs on this JVM's classpath, each running
 * {@link BenchNode}. The client runs inside {@code n1}, which gets the default election timeout
 * while {@code n2} and {@code n3} get 2 to 4 s, so that {@code n1} campaigns first and leads. The
 * parent reads {@code n1}'s {@code RESULT} lines, then closes the others' standard input, which
 * makes them exit. It kills only the processes it started, and only if they outlive their
 * deadline.
 */
final class ProcessCluster {
  private static final long EXIT_GRACE_SECONDS = 15;

  private ProcessCluster() {}

  /**
   * Runs each client of {@code clients} in {@code n1} and returns one window per client and
   * concurrency, in order.
   */
  static List<ClusterRun.Measured> run(Path root, List<Integer> concurrency,
      long warmupSeconds, long seconds, int ioThreads, List<ClientKind> clients)
      throws IOException, InterruptedException {
    Map<NodeId, Integer> ports = BenchCluster.freePorts();
    String portList = ports.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    int windows = concurrency.size() * clients.size();
    long runSeconds = windows * (warmupSeconds + seconds + 10) + 60;
    List<Process> started = new ArrayList<>();
    try {
      for (NodeId id : BenchCluster.MEMBERS.subList(1, BenchCluster.MEMBERS.size())) {
        started.add(start(root, id, portList, ioThreads, runSeconds, List.of(
            "--election-timeout-millis", "2000,4000"), ProcessBuilder.Redirect.DISCARD));
      }
      String concurrencies = concurrency.stream().map(String::valueOf).collect(Collectors.joining(","));
      Process client = start(root, BenchCluster.MEMBERS.get(0), portList, ioThreads, runSeconds,
          List.of("--client", "--concurrency", concurrencies, "--client-kinds",
              clients.stream().map(ClientKind::label).collect(Collectors.joining(",")),
              "--warmup-seconds", Long.toString(warmupSeconds), "--seconds", Long.toString(seconds)),
          ProcessBuilder.Redirect.PIPE);
      started.add(client);
      List<ClusterRun.Measured> results = readResults(client);
      if (!client.waitFor(EXIT_GRACE_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("n1 did not exit after its results; see " + root);
      }
      if (results.size() != windows) {
        throw new IllegalStateException("n1 reported " + results.size() + " of " + windows
            + " results (exit " + client.exitValue() + "); its log is in " + root.resolve("n1.log"));
      }
      return results;
    } finally {
      stop(started);
    }
  }

  private static Process start(Path root, NodeId id, String ports, int ioThreads, long maxSeconds,
      List<String> extra, ProcessBuilder.Redirect stdout) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        BenchNode.class.getName(), "--id", id.value(), "--ports", ports,
        "--dir", root.resolve(id.value()).toString(), "--io-threads", Integer.toString(ioThreads),
        "--max-seconds", Long.toString(maxSeconds)));
    command.addAll(extra);
    return new ProcessBuilder(command)
        .redirectOutput(stdout)
        .redirectError(root.resolve(id.value() + ".log").toFile())
        .start();
  }

  /** Reads n1's {@code RESULT} lines, each followed by its {@code THREADS} line, up to {@code DONE}. */
  private static List<ClusterRun.Measured> readResults(Process client) throws IOException {
    List<ClusterRun.Measured> results = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
      ClosedLoopClient.Result pending = null;
      String line;
      while ((line = out.readLine()) != null && !line.equals(BenchNode.DONE)) {
        String[] f = line.split(" ", 4);
        if (f[0].equals(BenchNode.RESULT)) {
          pending = parseResult(line.split(" "));
        } else if (f[0].equals(BenchNode.THREADS) && f.length == 4 && pending != null) {
          results.add(new ClusterRun.Measured(pending, f[3]));
          pending = null;
        }
      }
    }
    return results;
  }

  private static ClosedLoopClient.Result parseResult(String[] f) {
    if (f.length != 8) {
      throw new IllegalStateException("n1 printed a RESULT line of " + f.length
          + " fields, expected 8: " + String.join(" ", f));
    }
    return new ClosedLoopClient.Result(ClientKind.parse(f[1]), Integer.parseInt(f[2]),
        Long.parseLong(f[3]), Long.parseLong(f[4]), BenchNode.decode(f[7]), Long.parseLong(f[5]),
        "", Long.parseLong(f[6]));
  }

  /** Closes each child's standard input, waits for it, and kills it only if it hangs. */
  private static void stop(List<Process> children) throws InterruptedException {
    for (Process p : children) {
      try {
        p.getOutputStream().close();
      } catch (IOException e) {
        // it is gone already
      }
    }
    for (Process p : children) {
      if (!p.waitFor(EXIT_GRACE_SECONDS, TimeUnit.SECONDS)) {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }
}
