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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.IdentityMismatchException;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code node} command's options: snapshot, HTTP and join options (defaults, values passed through,
 * bad values refused), and where a start takes the cluster id from (real nodes in this JVM, on
 * 127.0.0.1 and real files).
 */
class NodeCommandTest {
  @TempDir Path dir;
  private final List<NodeServer> started = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    started.forEach(NodeServer::close);
  }

  @Test
  void defaultsAreTenThousandEntriesOrSixtyFourMebibytesKeepingAThousand() {
    SnapshotOptions options = parse().snapshotOptions();

    assertThat(options.thresholdEntries()).isEqualTo(10_000);
    assertThat(options.thresholdBytes()).isEqualTo(64L << 20);
    assertThat(options.trailingEntries()).isEqualTo(1_000);
    assertThat(options.chunkBytes()).isEqualTo(NodeServer.SNAPSHOT_CHUNK_BYTES);
  }

  @Test
  void theOptionsArePassedToTheSnapshotOptions() {
    SnapshotOptions options = parse("--snapshot-every", "20", "--snapshot-every-bytes", "4096",
        "--snapshot-trailing", "0").snapshotOptions();

    assertThat(options).isEqualTo(
        new SnapshotOptions(20, 0, NodeServer.SNAPSHOT_CHUNK_BYTES).withThresholdBytes(4096));
  }

  @Test
  void badValuesAreUsageErrorsNamingTheOptionAndStartNothing() {
    assertRefused(List.of("--snapshot-every", "0"), "--snapshot-every must be at least 1 entry, not 0");
    assertRefused(List.of("--snapshot-every-bytes", "-5"),
        "--snapshot-every-bytes must be at least 1 byte, not -5");
    assertRefused(List.of("--snapshot-trailing", "-1"),
        "--snapshot-trailing must be 0 or more entries, not -1");
    assertRefused(List.of("--snapshot-every", "ten"),
        "Invalid value for option '--snapshot-every': 'ten' is not a long");
    // Nothing was started: the data directory was never created.
    assertThat(dir.resolve("n1")).doesNotExist();
  }

  @Test
  void theHttpLimitsDefaultToTenSecondsForAHeadSixtyIdleThirtyForABodyAnd256Connections() {
    assertThat(parse().httpLimits()).isEqualTo(new HttpLimits(10_000, 60_000, 30_000, 256));
    assertThat(parse("--http-header-timeout-ms", "500", "--http-idle-timeout-ms", "700",
        "--http-body-timeout-ms", "900", "--http-max-connections", "3").httpLimits())
        .isEqualTo(new HttpLimits(500, 700, 900, 3));
  }

  @Test
  void httpLimitsBelowOneAreUsageErrorsNamingTheOptionAndStartNothing() {
    assertRefused(List.of("--http-header-timeout-ms", "0"),
        "--http-header-timeout-ms must be at least 1, not 0");
    assertRefused(List.of("--http-idle-timeout-ms", "-1"),
        "--http-idle-timeout-ms must be at least 1, not -1");
    assertRefused(List.of("--http-body-timeout-ms", "0"),
        "--http-body-timeout-ms must be at least 1, not 0");
    assertRefused(List.of("--http-max-connections", "0"),
        "--http-max-connections must be at least 1, not 0");
    assertRefused(List.of("--http-max-connections", "many"),
        "Invalid value for option '--http-max-connections': 'many' is not an int");
    assertThat(dir.resolve("n1")).doesNotExist();
  }

  @Test
  void clusterHttpGivesTheNodesHttpAddressesAndABadOneIsAUsageError() {
    assertThat(parse().clusterHttp()).isEmpty();
    assertThat(parse("--cluster-http", "n1=127.0.0.1:8001,n2=127.0.0.1:8002").clusterHttp())
        .containsExactly(
            java.util.Map.entry(NodeId.of("n1"), URI.create("http://127.0.0.1:8001")),
            java.util.Map.entry(NodeId.of("n2"), URI.create("http://127.0.0.1:8002")));
    assertRefused(List.of("--cluster-http", "n1=127.0.0.1"),
        "--cluster-http: '127.0.0.1' is not host:port");
    assertRefused(List.of("--cluster-http", "127.0.0.1:8001"),
        "'127.0.0.1:8001' in --cluster-http is not id=host:port");
    assertThat(dir.resolve("n1")).doesNotExist();
  }

  @Test
  void joinTakesTheMembersHttpAddressesWithOrWithoutTheScheme() {
    assertThat(parse().joinServers()).isEmpty();
    assertThat(parse("--join", "http://127.0.0.1:8001,127.0.0.1:8002/").joinServers())
        .containsExactly(URI.create("http://127.0.0.1:8001"), URI.create("http://127.0.0.1:8002"));
  }

  @Test
  void aJoinWithoutAnAddressIsAUsageErrorAndStartsNothing() {
    assertRefused(List.of("--join", ","), "--join needs the HTTP address of at least one running member");
    assertRefused(List.of("--join", "http://"), "--join:");
    assertRefused(List.of("--learner"), "--learner goes with --join");
    assertThat(dir.resolve("n1")).doesNotExist();
  }

  @Test
  void aNewDataDirectoryWithoutAClusterIdIsAUsageErrorNamingTheOptionAndCreatesNothing() {
    assertRefused(List.of(), "--cluster-id is needed: " + dir.resolve("n1").resolve("raft")
        + " records no cluster yet");
    assertRefused(List.of(), "floe-example.jar new-cluster-id");
    assertThat(dir.resolve("n1")).doesNotExist();
  }

  @Test
  void aClusterIdThatIsNotOneIsAUsageError() {
    assertRefused(List.of("--cluster-id", "my cluster"),
        "--cluster-id: invalid cluster id 'my cluster': use 1 to 64 letters, digits, '-', '_' or '.'");
    assertThat(dir.resolve("n1")).doesNotExist();
  }

  @Test
  void newClusterIdPrintsANewRandomIdEachTime() {
    String first = runMain("new-cluster-id").strip();
    String second = runMain("new-cluster-id").strip();

    assertThat(first).matches("[0-9a-f]{32}");
    assertThat(second).matches("[0-9a-f]{32}").isNotEqualTo(first);
    assertThat(ClusterId.of(first).value()).isEqualTo(first);
  }

  @Test
  void aFoundingMemberRecordsTheClusterIdOnItsFirstStartAndTakesItFromItsDirectoryAfter()
      throws Exception {
    ClusterId id = ClusterId.random();
    String raft = "n1=127.0.0.1:" + freePort();

    NodeServer first = start(nodeArgs("n1", raft, "--cluster-id", id.value()));
    assertThat(first.node().clusterId()).contains(id);
    first.close();
    started.remove(first);

    NodeServer restarted = start(nodeArgs("n1", raft));
    assertThat(restarted.node().clusterId()).contains(id);
    restarted.close();
    started.remove(restarted);

    ClusterId other = ClusterId.random();
    assertThatThrownBy(() -> start(nodeArgs("n1", raft, "--cluster-id", other.value())))
        .isInstanceOf(IdentityMismatchException.class)
        .hasMessageContaining("records cluster id " + id)
        .hasMessageContaining("started with " + other);
  }

  @Test
  void aJoiningNodeFetchesTheClusterIdFromAMemberOnItsFirstStartOnly() throws Exception {
    ClusterId id = ClusterId.random();
    String n1Raft = "n1=127.0.0.1:" + freePort();
    NodeServer member = start(nodeArgs("n1", n1Raft, "--cluster-id", id.value()));
    String memberHttp = "http://127.0.0.1:" + member.httpAddress().getPort();
    String cluster = n1Raft + ",n2=127.0.0.1:" + freePort();

    NodeServer joined = start(nodeArgs("n2", cluster, "--join", memberHttp, "--learner"));
    assertThat(joined.node().clusterId()).contains(id);
    joined.close();
    started.remove(joined);
    member.close();
    started.remove(member);

    // No member runs, and no time is given to ask one: the directory has the id.
    NodeServer restarted =
        start(nodeArgs("n2", cluster, "--join", memberHttp, "--learner", "--join-timeout-ms", "0"));
    assertThat(restarted.node().clusterId()).contains(id);
  }

  @Test
  void aNewJoiningNodeThatNoMemberTellsTheClusterIdGivesUpNamingTheServersAndTheOption() {
    String nobody = "http://127.0.0.1:" + freePort();
    StringWriter err = new StringWriter();
    CommandLine line = new CommandLine(new NodeCommand()).setErr(new PrintWriter(err, true));

    int status = line.execute(nodeArgs("n2", "n1=127.0.0.1:" + freePort() + ",n2=127.0.0.1:"
        + freePort(), "--join", nobody, "--join-timeout-ms", "300"));

    assertThat(status).as(err.toString()).isEqualTo(NodeCommand.CANNOT_START);
    assertThat(err.toString())
        .contains("n2 cannot start: no member told the cluster's id within 300 ms")
        .contains("[" + nobody + "]")
        .contains("give it --cluster-id");
    assertThat(dir.resolve("n2")).doesNotExist();
  }

  /** Starts a node in this JVM as the command would (stopped after the test). */
  private NodeServer start(String... args) throws Exception {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs(args);
    NodeServer server = command.startServer();
    started.add(server);
    return server;
  }

  private String[] nodeArgs(String id, String cluster, String... more) {
    List<String> args = new ArrayList<>(List.of("--id", id, "--cluster", cluster,
        "--http", "127.0.0.1:0", "--data-dir", dir.resolve(id).toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static String runMain(String... args) {
    StringWriter out = new StringWriter();
    int status = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).execute(args);
    assertThat(status).as(out.toString()).isZero();
    return out.toString();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private NodeCommand parse(String... snapshotArgs) {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs(args(List.of(snapshotArgs)));
    return command;
  }

  private void assertRefused(List<String> snapshotArgs, String message) {
    StringWriter err = new StringWriter();
    CommandLine line = new CommandLine(new NodeCommand()).setErr(new PrintWriter(err, true));

    int status = line.execute(args(snapshotArgs));

    assertThat(status).as(err.toString()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains(message);
  }

  private String[] args(List<String> snapshotArgs) {
    List<String> args = new ArrayList<>(List.of("--id", "n1", "--cluster", "n1=127.0.0.1:1",
        "--http", "127.0.0.1:0", "--data-dir", dir.resolve("n1").toString()));
    args.addAll(snapshotArgs);
    return args.toArray(String[]::new);
  }
}
