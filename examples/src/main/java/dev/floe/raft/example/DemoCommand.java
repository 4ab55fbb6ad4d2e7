package dev.floe.raft.example;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo}: starts a three-node cluster of child processes on 127.0.0.1, with its data in a
 * fresh temporary directory, and walks through the lab's scenarios from a menu. The children are
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

  private LocalCluster cluster;
  private ClusterClient client;
  private BufferedReader in;
  private int counter;

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("floe-demo-");
    cluster = LocalCluster.create(dir, 3, electionTimeoutMillis);
    Thread stopChildren = new Thread(cluster::close, "stop-demo-nodes");
    Runtime.getRuntime().addShutdownHook(stopChildren);
    System.out.println("Data directory: " + dir);
    System.out.println("Cluster id: " + cluster.clusterId() + " (new for this cluster; each node "
        + "records it in its raft/ and checks it at every start and every connection)");
    System.out.println("Each node n<i> keeps raft/ (its log) and values.log in " + dir + "/n<i>, "
        + "and writes its output to " + dir + "/n<i>.out");
    cluster.startAll();
    for (int i = 0; i < 3; i++) {
      System.out.println("started " + cluster.id(i) + " (pid " + cluster.pid(i) + "), HTTP "
          + cluster.httpUri(i));
    }
    client = new ClusterClient(cluster.httpUris(), Duration.ofSeconds(20));
    System.out.println("waiting for an election...");
    awaitLeader();
    printStatus();
    System.out.println("\nTry it from another terminal too:\n  curl -X POST --data hello "
        + cluster.httpUri(0) + "/values\n  curl " + cluster.httpUri(0) + "/status");
    in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      menu();
    } finally {
      System.out.println("stopping the nodes...");
      cluster.close();
      System.out.println("stopped; the data is still in " + dir);
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
        case "3": crashLeader(); break;
        case "4": repairFollower(); break;
        case "5": stopAndCatchUp(); break;
        case "6": printStatus(); printValuesLogs(); break;
        case "7": startStopped(); break;
        default: System.out.println("unknown choice: " + choice);
      }
    }
  }

  private void submitValues() throws InterruptedException {
    String line = ask("values, separated by spaces [empty: three new ones]");
    List<String> values = new ArrayList<>();
    if (line == null || line.isBlank()) {
      for (int i = 0; i < 3; i++) {
        values.add(nextValue());
      }
    } else {
      values.addAll(List.of(line.trim().split("\\s+")));
    }
    submit(values);
  }

  private void moveLeadership() throws InterruptedException {
    String to = ask("to which node (n1, n2, n3) [empty: the most up-to-date follower]");
    try {
      String leader = client.transfer(to == null || to.isBlank() ? null : to.trim());
      System.out.println(leader + " now leads");
    } catch (ClusterClient.SubmitFailedException e) {
      System.out.println("transfer failed: " + e.getMessage());
    }
    printStatus();
  }

  private void crashLeader() throws InterruptedException {
    Optional<Integer> leader = leaderIndex();
    if (leader.isEmpty()) {
      System.out.println("no leader right now");
      return;
    }
    int l = leader.get();
    System.out.println("kill -9 " + cluster.id(l) + " (pid " + cluster.pid(l) + ")");
    cluster.kill(l);
    System.out.println("waiting for the others to elect a new leader...");
    awaitLeader();
    printStatus();
    System.out.println(cluster.id(l) + " stays down: submit values, then use 7 to start it and "
        + "watch it catch up.");
  }

  /**
   * Floe offers no way to delete an entry from a running node's log, so this makes a follower miss
   * the last entry the honest way: it is killed, a value is committed by the two others, and when
   * it comes back its log ends one entry short; the leader finds where the logs diverge
   * (AppendEntries consistency check) and sends what is missing.
   */
  private void repairFollower() throws Exception {
    if (!allRunning()) {
      System.out.println("start every node first (7)");
      return;
    }
    Optional<Integer> leader = leaderIndex();
    if (leader.isEmpty()) {
      System.out.println("no leader right now");
      return;
    }
    int f = (leader.get() + 1) % 3;
    System.out.println("kill -9 follower " + cluster.id(f) + " so that it misses the next entry");
    cluster.kill(f);
    submit(List.of(nextValue()));
    System.out.println("\n" + cluster.id(f) + " lacks the last line:");
    printValuesLogs();
    System.out.println("\nrestarting " + cluster.id(f) + "; the leader repairs its log...");
    cluster.start(f);
    awaitCaughtUp();
    printStatus();
    printValuesLogs();
  }

  private void stopAndCatchUp() throws Exception {
    if (!allRunning()) {
      System.out.println("start every node first (7)");
      return;
    }
    String id = ask("which node (n1, n2, n3) [empty: a follower]");
    int n = id == null || id.isBlank() ? (leaderIndex().orElse(0) + 1) % 3 : cluster.indexOf(id.trim());
    if (n < 0) {
      System.out.println("no such node: " + id);
      return;
    }
    System.out.println("stopping " + cluster.id(n) + " cleanly (SIGTERM)");
    cluster.stop(n);
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      values.add(nextValue());
    }
    System.out.println("writing " + values.size() + " values while it is down");
    submit(values);
    printValuesLogs();
    System.out.println("\nstarting " + cluster.id(n) + " again; it replays its own log, then "
        + "receives the rest from the leader...");
    cluster.start(n);
    awaitCaughtUp();
    printStatus();
    printValuesLogs();
  }

  private void startStopped() throws Exception {
    for (int i = 0; i < 3; i++) {
      if (!cluster.isRunning(i)) {
        cluster.start(i);
        System.out.println("started " + cluster.id(i) + " (pid " + cluster.pid(i) + ")");
      }
    }
    awaitCaughtUp();
    printStatus();
  }

  // ------------------------------------------------------------------ helpers

  private void submit(List<String> values) throws InterruptedException {
    for (String v : values) {
      try {
        ClusterClient.Committed c = client.submit(v);
        System.out.println("committed " + v + " at index " + c.index() + " (term " + c.term() + ")");
      } catch (ClusterClient.SubmitFailedException e) {
        System.out.println("NOT committed " + v + ": " + e.getMessage());
        return;
      }
    }
  }

  private String nextValue() {
    return "v" + (++counter);
  }

  private String ask(String prompt) {
    System.out.print(prompt + "> ");
    System.out.flush();
    try {
      return in.readLine();
    } catch (IOException e) {
      return null;
    }
  }

  private boolean allRunning() {
    for (int i = 0; i < 3; i++) {
      if (!cluster.isRunning(i)) {
        return false;
      }
    }
    return true;
  }

  private Optional<Integer> leaderIndex() throws InterruptedException {
    for (ClusterClient.ServerStatus s : client.status()) {
      if (s.status().isPresent() && s.status().get().path("role").asText().equals("leader")) {
        return Optional.of(cluster.indexOf(s.status().get().path("id").asText()));
      }
    }
    return Optional.empty();
  }

  private void awaitLeader() throws InterruptedException {
    for (int i = 0; i < 200 && leaderIndex().isEmpty(); i++) {
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** Waits (at most 20 s) until every running node has applied everything the leader committed. */
  private void awaitCaughtUp() throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      long commit = -1;
      boolean behind = false;
      for (ClusterClient.ServerStatus s : client.status()) {
        if (s.status().isEmpty()) {
          behind |= cluster.isRunning(cluster.indexOf(idOf(s)));
          continue;
        }
        JsonNode n = s.status().get();
        if (n.path("role").asText().equals("leader")) {
          commit = n.path("commitIndex").asLong();
        }
      }
      if (commit >= 0 && !behind) {
        long target = commit;
        boolean all = client.status().stream().filter(s -> s.status().isPresent())
            .allMatch(s -> s.status().get().path("appliedIndex").asLong() >= target);
        if (all) {
          return;
        }
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    System.out.println("(some node has not caught up after 20 s)");
  }

  private String idOf(ClusterClient.ServerStatus s) {
    for (int i = 0; i < 3; i++) {
      if (cluster.httpUri(i).equals(s.server())) {
        return cluster.id(i);
      }
    }
    return "?";
  }

  private void printStatus() throws InterruptedException {
    System.out.println();
    for (ClusterClient.ServerStatus s : client.status()) {
      System.out.println(s.status().isPresent() ? StatusCommand.format(s)
          : String.format("%-4s %-9s %s: %s", idOf(s), "down", s.server(), s.problem()));
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
