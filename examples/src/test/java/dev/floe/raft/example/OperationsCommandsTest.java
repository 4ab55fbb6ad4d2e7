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
import static org.awaitility.Awaitility.await;

import dev.floe.raft.cluster.ClusterId;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The operations commands as an operator runs them, on nodes of the example started in this JVM
 * by the {@code node} command's own code, over real files and 127.0.0.1: {@code members
 * force-reset} bringing back the survivor of a lost majority, {@code backup} of a running cluster
 * and {@code node --restore-from} founding a new cluster from it, and what each refuses.
 */
class OperationsCommandsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final Map<String, NodeServer> running = new LinkedHashMap<>();
  private final Map<String, String> raftAddresses = new LinkedHashMap<>();

  @AfterEach
  void stopNodes() {
    running.values().forEach(NodeServer::close);
  }

  /** Result of one command line: its exit status and what it printed. */
  private record Run(int status, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = new CommandLine(new Main()).setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true)).execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String cluster(List<String> ids) {
    return ids.stream().map(id -> id + "=" + raftAddresses.computeIfAbsent(id,
        k -> "127.0.0.1:" + freePort())).collect(Collectors.joining(","));
  }

  private List<String> nodeArgs(String id, List<String> members, String... more) {
    List<String> args = new ArrayList<>(List.of("node", "--id", id, "--cluster", cluster(members),
        "--http", "127.0.0.1:0", "--data-dir", dir.resolve(id).toString()));
    args.addAll(List.of(more));
    return args;
  }

  /** Starts a node as {@code floe-example node ARGS} would, in this JVM. */
  private NodeServer node(String id, List<String> args) throws Exception {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs(args.subList(1, args.size()).toArray(String[]::new));
    NodeServer server = command.startServer();
    running.put(id, server);
    return server;
  }

  private String http(String id) {
    return "http://127.0.0.1:" + running.get(id).httpAddress().getPort();
  }

  private String servers() {
    return running.keySet().stream().map(this::http).collect(Collectors.joining(","));
  }

  private List<String> submit(String prefix, int n) throws Exception {
    ClusterClient client = new ClusterClient(ClusterClient.parseServers(servers()), WAIT);
    List<String> values = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      client.submit(prefix + i);
      values.add("write " + prefix + i);
    }
    return values;
  }

  private List<String> valuesLog(String id) throws IOException {
    Path file = dir.resolve(id).resolve("values.log");
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private void stop(String id) {
    running.remove(id).close();
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private List<String> threeNodesWithValues(String clusterId) throws Exception {
    List<String> ids = List.of("n1", "n2", "n3");
    for (String id : ids) {
      node(id, nodeArgs(id, ids, "--cluster-id", clusterId));
    }
    return submit("v", 10);
  }

  @Test
  void forceResetBringsBackTheSurvivorOfALostMajorityAloneWithItsValues() throws Exception {
    String clusterId = ClusterId.random().value();
    List<String> values = threeNodesWithValues(clusterId);
    await().atMost(WAIT).until(() -> valuesLog("n1").equals(values));
    List.of("n1", "n2", "n3").forEach(this::stop);
    deleteTree(dir.resolve("n2"));
    deleteTree(dir.resolve("n3"));
    String n1Dir = dir.resolve("n1").toString();

    Run unconfirmed = cli("members", "force-reset", "--data-dir", n1Dir, "--node-id", "n1",
        "--voters", "n1");
    Run reset = cli("members", "force-reset", "--data-dir", n1Dir, "--node-id", "n1",
        "--voters", "n1", ForceResetCommand.CONFIRM);
    Run again = cli("members", "force-reset", "--data-dir", n1Dir, "--node-id", "n1",
        "--voters", "n1", ForceResetCommand.CONFIRM);

    assertThat(unconfirmed.status()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(unconfirmed.err()).contains("may lose writes", ForceResetCommand.CONFIRM);
    assertThat(reset.status()).as(reset.out()).isZero();
    assertThat(reset.out()).contains("WARNING", "may be lost for good",
        "before: voters [n1, n2, n3]", "after:  voters [n1]", "written: configuration entry at");
    assertThat(again.status()).as(again.out()).isZero();
    assertThat(again.out()).contains("unchanged: the membership already is [n1]");

    // Restarted with its usual arguments, it leads alone and takes writes.
    node("n1", nodeArgs("n1", List.of("n1", "n2", "n3")));
    List<String> all = new ArrayList<>(values);
    all.addAll(submit("after", 3));
    await().atMost(WAIT).until(() -> valuesLog("n1").equals(all));
    // A new node joins the survivor and gets every value.
    node("n2", nodeArgs("n2", List.of("n1", "n2"), "--join", http("n1")));
    await().atMost(WAIT).until(() -> valuesLog("n2").equals(all));
  }

  @Test
  void forceResetRefusesAnotherNodesDirectoryAndVotersThatAreNoMembers() throws Exception {
    threeNodesWithValues(ClusterId.random().value());
    List.of("n1", "n2", "n3").forEach(this::stop);

    Run foreign = cli("members", "force-reset", "--data-dir", dir.resolve("n2").toString(),
        "--node-id", "n1", "--voters", "n1", ForceResetCommand.CONFIRM);
    Run unknown = cli("members", "force-reset", "--data-dir", dir.resolve("n1").toString(),
        "--node-id", "n1", "--voters", "n1,n7", ForceResetCommand.CONFIRM);
    Run missing = cli("members", "force-reset", "--data-dir", dir.resolve("n9").toString(),
        "--node-id", "n9", "--voters", "n9", ForceResetCommand.CONFIRM);

    assertThat(foreign.status()).isEqualTo(1);
    assertThat(foreign.out()).contains("refused", "node id n2");
    assertThat(unknown.status()).isEqualTo(1);
    assertThat(unknown.out()).contains("refused", "[n7] are not members");
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.out()).contains("does not exist");
  }

  @Test
  void aBackupOfARunningClusterFoundsANewOneThatGrows() throws Exception {
    List<String> values = threeNodesWithValues(ClusterId.random().value());
    Path file = dir.resolve("cluster.floe-backup");

    Run backup = cli("backup", "--node", http("n2"), "--out", file.toString());

    assertThat(backup.status()).as(backup.out()).isZero();
    assertThat(backup.out()).contains("backup written to " + file, "index ");
    List.of("n1", "n2", "n3").forEach(this::stop);

    node("r1", nodeArgs("r1", List.of("r1"), "--cluster-id", ClusterId.random().value(),
        "--restore-from", file.toString()));
    await().atMost(WAIT).until(() -> valuesLog("r1").equals(values));
    List<String> all = new ArrayList<>(values);
    all.addAll(submit("restored", 3));
    node("r2", nodeArgs("r2", List.of("r1", "r2"), "--join", http("r1")));
    await().atMost(WAIT).until(() -> valuesLog("r2").equals(all));
    await().atMost(WAIT).until(() -> valuesLog("r1").equals(all));
  }

  @Test
  void aDamagedBackupOrAClusterOfOthersIsRefusedByTheNodeCommand() throws Exception {
    threeNodesWithValues(ClusterId.random().value());
    Path file = dir.resolve("cluster.floe-backup");
    assertThat(cli("backup", "--node", http("n1"), "--out", file.toString()).status()).isZero();
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(f.length() - 3);
    }
    String newId = ClusterId.random().value();

    Run damaged = cli(nodeArgs("r1", List.of("r1"), "--cluster-id", newId, "--restore-from",
        file.toString()).toArray(String[]::new));
    Run withOthers = cli(nodeArgs("r2", List.of("r2", "n1"), "--cluster-id", newId,
        "--restore-from", file.toString()).toArray(String[]::new));

    assertThat(damaged.status()).isEqualTo(NodeCommand.CANNOT_START);
    assertThat(damaged.err()).contains("r1 cannot start", file.toString(), "truncated");
    assertThat(dir.resolve("r1").resolve("raft").resolve("snapshots")).doesNotExist();
    assertThat(withOthers.status()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(withOthers.err()).contains("--restore-from founds a cluster of r2 alone");
  }
}
