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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: starts a three-node cluster of child processes on 127.0.0.1, with its data in a
 * fresh temporary directory, and walks through the lab's scenarios from a menu and from a live page
 * in the browser ({@link DemoWeb}, at the address it prints), which shows the three nodes as they
 * change and runs the same scenarios from buttons ({@link DemoScenarios}). The children are
 * stopped on exit, on end of input and on Ctrl-C (a shutdown hook).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Runs a local three-node cluster with an interactive menu of the lab's scenarios.")
final class DemoCommand implements Callable<Integer> {
  private static final String MENU = String.join("\n",
      "",
      "  1) submit values",
      "  2) move the leadership",
      "  3) crash the leader (kill -9)",
      "  4) a follower misses the last entry; watch the leader repair it",
      "  5) stop a node, write while it is down, start it; watch it catch up",
      "  6) show status and the three values.log side by side",
      "  7) start every stopped node",
      "  q) quit (stops the nodes)");

  @Option(names = "--election-timeout-ms", defaultValue = "150",
      description = "The nodes' shortest election timeout (default ${DEFAULT-VALUE}).")
  long electionTimeoutMillis;

  @Option(names = "--http", paramLabel = "<host:port>", defaultValue = "127.0.0.1:0",
      description = "Where to serve the live page (default ${DEFAULT-VALUE}: a free port on the "
          + "loopback address; the address is printed).")
  String http;

  @Option(names = "--watch-pause-ms", paramLabel = "<ms>", defaultValue = "3000",
      description = "How long the page's scenarios pause on a state worth seeing, such as a "
          + "follower that lacks the last entry (default ${DEFAULT-VALUE}).")
  long watchPauseMillis;

  @Spec CommandSpec spec;

  private LocalCluster cluster;
  private ClusterClient client;
  private DemoScenarios scenarios;
  private BufferedReader in;

  /** The menu's narration: printed, with the status and the values.log files where it helps. */
  private final DemoScenarios.Narration printed = new DemoScenarios.Narration() {
    @Override
    public void say(String line) {
      System.out.println(line);
    }

    @Override
    public void showStatus() throws InterruptedException {
      printStatus();
    }

    @Override
    public void showValuesLogs() {
      printValuesLogs();
    }

    @Override
    public String startStoppedAction() {
      return "7";
    }
  };

  @Override
  public Integer call() throws Exception {
    if (watchPauseMillis < 0) {
      throw new ParameterException(spec.commandLine(),
          "--watch-pause-ms must be 0 or more, not " + watchPauseMillis);
    }
    InetSocketAddress pageAddress;
    try {
      pageAddress = Addresses.hostPort(http);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--http: " + e.getMessage());
    }
    HttpServer page;
    try {
      // Bound first: a page address in use fails the demo before any node starts.
      page = HttpServer.bind(pageAddress, HttpLimits.DEFAULTS);
    } catch (IOException e) {
      System.err.println("demo cannot start: " + e.getMessage());
      return 1;
    }
    try (page) {
      Path dir = Files.createTempDirectory("floe-demo-");
      cluster = LocalCluster.create(dir, 3, electionTimeoutMillis);
      Thread stopChildren = new Thread(cluster::close, "stop-demo-nodes");
      Runtime.getRuntime().addShutdownHook(stopChildren);
      System.out.println("Data directory: " + dir);
      System.out.println("Cluster id: " + cluster.clusterId() + " (new for this cluster; each "
          + "node records it in its raft/ and checks it at every start and every connection)");
      System.out.println("Each node n<i> keeps raft/ (its log) and values.log in " + dir
          + "/n<i>, and writes its output to " + dir + "/n<i>.out");
      cluster.startAll();
      for (int i = 0; i < 3; i++) {
        System.out.println("started " + cluster.id(i) + " (pid " + cluster.pid(i) + "), HTTP "
            + cluster.httpUri(i));
      }
      client = new ClusterClient(cluster.httpUris(), Duration.ofSeconds(20));
      scenarios = new DemoScenarios(cluster, client);
      page.serve(new DemoWeb(cluster, scenarios, watchPauseMillis, page::localAddress));
      System.out.println("waiting for an election...");
      scenarios.awaitLeader();
      printStatus();
      System.out.println("\nThe live page: http://" + Addresses.format(page.localAddress()) + "/"
          + " (open it in a browser: the nodes side by side, and the scenarios as buttons)");
      System.out.println("\nTry it from another terminal too:\n  curl -X POST --data hello "
          + cluster.httpUri(0) + "/values\n  curl " + cluster.httpUri(0) + "/status");
      in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      try {
        menu();
      } finally {
        System.out.println("stopping the nodes...");
        scenarios.close();
        cluster.close();
        System.out.println("stopped; the data is still in " + dir);
      }
    }
    return 0;
  }

  private void menu() throws Exception {
    while (true) {
      System.out.println(MENU);
      String choice = ask("choice");
      if (choice == null || choice.equals("q")) {
        return;
      }
      if (choice.isBlank()) {
        continue;
      }
      switch (choice) {
        case "1": submitValues(); break;
        case "2": moveLeadership(); break;
        case "3": scenarios.runNow("crash the leader", printed, scenarios::crashLeader); break;
        case "4": scenarios.runNow("repair a follower", printed, scenarios::repairFollower); break;
        case "5": stopAndCatchUp(); break;
        case "6": printStatus(); printValuesLogs(); break;
        case "7": scenarios.runNow("start every stopped node", printed, scenarios::startStopped);
          break;
        default: System.out.println("unknown choice: " + choice);
      }
    }
  }

  private void submitValues() throws Exception {
    String line = ask("values, separated by spaces [empty: three new ones]");
    List<String> values = line == null || line.isBlank() ? List.of()
        : List.of(line.trim().split("\\s+"));
    scenarios.runNow("submit values", printed, n -> scenarios.submitValues(values, n));
  }

  private void moveLeadership() throws Exception {
    String to = ask("to which node (n1, n2, n3) [empty: the most up-to-date follower]");
    String target = to == null || to.isBlank() ? null : to.trim();
    scenarios.runNow("move the leadership", printed, n -> scenarios.moveLeadership(target, n));
  }

  private void stopAndCatchUp() throws Exception {
    if (!scenarios.allRunning()) {
      System.out.println("start every node first (7)");
      return;
    }
    String id = ask("which node (n1, n2, n3) [empty: a follower]");
    int n = id == null || id.isBlank() ? -1 : cluster.indexOf(id.trim());
    if (n < 0 && id != null && !id.isBlank()) {
      System.out.println("no such node: " + id);
      return;
    }
    scenarios.runNow("stop a node and catch up", printed, x -> scenarios.stopAndCatchUp(n, x));
  }

  // ------------------------------------------------------------------ helpers

  private String ask(String prompt) {
    System.out.print(prompt + "> ");
    System.out.flush();
    try {
      return in.readLine();
    } catch (IOException e) {
      return null;
    }
  }

  private void printStatus() throws InterruptedException {
    System.out.println();
    for (ClusterClient.ServerStatus s : client.status()) {
      System.out.println(s.status().isPresent() ? StatusCommand.format(s)
          : String.format("%-4s %-9s %s: %s", scenarios.idOf(s), "down", s.server(), s.problem()));
    }
  }

  private void printValuesLogs() {
    List<List<String>> columns = new ArrayList<>();
    int rows = 0;
    for (int i = 0; i < 3; i++) {
      List<String> lines;
      try {
        lines = Files.exists(cluster.valuesLog(i)) ? Files.readAllLines(cluster.valuesLog(i)) : List.of();
      } catch (IOException e) {
        lines = List.of("(unreadable: " + e.getMessage() + ")");
      }
      columns.add(lines);
      rows = Math.max(rows, lines.size());
    }
    System.out.println();
    System.out.printf("%-26s%-26s%-26s%n", header(0), header(1), header(2));
    for (int r = 0; r < rows; r++) {
      StringBuilder row = new StringBuilder();
      for (List<String> c : columns) {
        row.append(String.format("%-26s", r < c.size() ? c.get(r) : ""));
      }
      System.out.println(row.toString().stripTrailing());
    }
  }

  private String header(int i) {
    return cluster.id(i) + "/values.log" + (cluster.isRunning(i) ? "" : " (down)");
  }
}
