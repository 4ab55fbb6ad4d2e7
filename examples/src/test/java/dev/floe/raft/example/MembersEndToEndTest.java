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

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Replacing a node of the running three-node example with a new one, n4, on new ports, while a
 * client keeps submitting values: n4 is started with {@code node --join}, becomes a voter, one old
 * node is removed (a follower, or the leader) and its process stopped, and the client goes on.
 * Every acknowledged value ends up exactly once in each remaining node's values.log, and the three
 * files are identical.
 */
class MembersEndToEndTest {
  private static final Duration WAIT = LabHarness.WAIT;
  /** The background client's bounds: it never submits more than this many values... */
  private static final int MAX_VALUES = 3_000;
  /** ...nor for longer than this. */
  private static final Duration MAX_SUBMITTING = Duration.ofSeconds(30);

  @TempDir Path dir;
  private LabHarness lab;
  private LocalCluster cluster;

  @BeforeEach
  void startCluster() throws IOException {
    lab = LabHarness.start(dir, List.of());
    cluster = lab.cluster;
  }

  @AfterEach
  void stopCluster() throws InterruptedException {
    lab.close(); // only the processes this test started, through their Process handles
  }

  @Test
  void aFollowerIsReplacedByAJoiningNodeWhileAClientSubmits() throws Exception {
    lab.awaitLeader();
    int n4 = cluster.addJoiningNode(); // before the client, which then knows n4's address too
    CompletableFuture<Void> submitting = startSubmitting();
    joinWhileSubmitting(n4);

    int leader = lab.awaitLeader();
    int removed = IntStream.range(0, 3).filter(i -> i != leader).findFirst().orElseThrow();
    String removedId = cluster.id(removed);
    // A follower does not change the membership: it names the leader, where the client retries.
    int follower = IntStream.range(0, 4).filter(i -> i != leader && i != removed).findFirst()
        .orElseThrow();
    HttpResponse<String> refused = lab.delete(cluster.httpUri(follower), "/members/" + removedId);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
    assertThat(Json.parse(refused.body()).path("leader").asText()).isEqualTo(cluster.id(leader));
    // Promoting a node that is not a learner is refused by the leader, and changes nothing.
    HttpResponse<String> notALearner = lab.post(cluster.httpUri(leader), "/members/n9/promote", "");
    assertThat(notALearner.statusCode()).as(notALearner.body()).isEqualTo(422);
    assertThat(Json.parse(notALearner.body()).path("error").asText()).contains("not a learner");

    // The command-line client, given every server, finds the leader itself.
    String removal = cli("members", "remove", "--servers", servers(), "--id", removedId);
    assertThat(removal).contains(removedId + " is no longer a member");
    List<Integer> remaining = remainingAfter(removed);
    awaitConfigurationEverywhere(remaining);
    cluster.stop(removed);
    keepSubmittingFor(20);

    // Restarting the joined node with the same command asks to join again, which changes nothing;
    // it reads the cluster id from its data directory instead of asking for it.
    cluster.stop(n4);
    cluster.start(n4);
    await().atMost(WAIT).until(() -> joinedLines(n4) == 2);
    assertThat(outputLines(n4, "n4: cluster " + cluster.clusterId() + " (from its data directory)"))
        .hasSize(1);
    assertThat(outputLines(n4, "n4: cluster " + cluster.clusterId() + " (from http://"))
        .hasSize(1);
    awaitVoter(n4, ids(remaining));
    keepSubmittingFor(10);

    String list = cli("members", "list", "--servers", servers());
    for (int i : remaining) {
      assertThat(list).contains(String.format("%-8s %-4s %s", "voter", cluster.id(i),
          cluster.raftAddress(i)));
    }
    assertThat(list).doesNotContain(removedId).doesNotContain("learner ");

    lab.stopSubmitting(submitting);
    assertEveryAcknowledgedValueOnceIn(remaining);
  }

  @Test
  void theLeaderIsReplacedByAJoiningNodeWhileAClientSubmits() throws Exception {
    lab.awaitLeader();
    int n4 = cluster.addJoiningNode(); // before the client, which then knows n4's address too
    CompletableFuture<Void> submitting = startSubmitting();
    joinWhileSubmitting(n4);

    int old = lab.awaitLeader();
    if (old == n4) { // replace an old node: move the leadership to one
      HttpResponse<String> moved = lab.post(cluster.httpUri(n4), "/leadership?to=n1", "");
      assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
      old = lab.awaitLeaderOtherThan(n4);
    }
    String oldId = cluster.id(old);
    HttpResponse<String> removal = lab.delete(cluster.httpUri(old), "/members/" + oldId);
    assertThat(removal.statusCode()).as(removal.body()).isEqualTo(200);
    List<Integer> remaining = remainingAfter(old);
    assertThat(texts(Json.parse(removal.body()).path("voters"))).isEqualTo(ids(remaining));

    // It led until its removal committed, then handed over to one of the remaining voters.
    int next = lab.awaitLeaderOtherThan(old);
    assertThat(remaining).contains(next);
    int removed = old;
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode status = lab.status(removed);
      assertThat(status.path("membership").asText()).isEqualTo("none");
      assertThat(status.path("role").asText()).isNotEqualTo("leader");
    });
    awaitConfigurationEverywhere(remaining);
    cluster.stop(removed);
    keepSubmittingFor(20);

    lab.stopSubmitting(submitting);
    assertEveryAcknowledgedValueOnceIn(remaining);
  }

  @Test
  void aLearnerGetsTheLogWithoutAVoteUntilItIsPromoted() throws Exception {
    int leader = lab.awaitLeader();
    lab.submitAll("before", 0, 5);
    int n4 = cluster.addJoiningNode(List.of("--learner"));
    cluster.start(n4);

    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode status = lab.statusOrNull(n4);
      assertThat(status).isNotNull();
      assertThat(status.path("membership").asText()).isEqualTo("learner");
      assertThat(texts(status.path("learners"))).containsExactly("n4");
      assertThat(texts(status.path("members"))).containsExactly("n1", "n2", "n3");
    });
    JsonNode members = lab.get(lab.leaderIndex().orElseThrow(), "/members");
    assertThat(texts(members.path("voters"))).containsExactly("n1", "n2", "n3");
    assertThat(texts(members.path("learners"))).containsExactly("n4");
    // A learner receives every entry: values written before and after it joined.
    lab.submitAll("after", 0, 5);
    lab.awaitCaughtUp();
    lab.assertValuesLogsConsistent(List.of(0, 1, 2, n4));
    assertThat(lab.lines(n4)).containsExactlyElementsOf(lab.expectedLines());
    String list = cli("members", "list", "--servers", servers());
    assertThat(list).contains(String.format("%-8s %-4s %s", "learner", "n4", cluster.raftAddress(n4)));

    // Without a vote, it cannot lead.
    HttpResponse<String> toLearner =
        lab.post(cluster.httpUri(leader), "/leadership?to=n4", "");
    assertThat(toLearner.statusCode()).as(toLearner.body()).isEqualTo(400);
    assertThat(Json.parse(toLearner.body()).path("error").asText()).contains("only a voter can lead");

    String promotion = cli("members", "promote", "--servers", servers(), "--id", "n4");
    assertThat(promotion).contains("n4 is a voter");
    awaitVoter(n4, List.of("n1", "n2", "n3", "n4"));
    HttpResponse<String> toVoter = lab.post(cluster.httpUri(lab.awaitLeader()), "/leadership?to=n4", "");
    assertThat(toVoter.statusCode()).as(toVoter.body()).isEqualTo(200);
    assertThat(lab.awaitLeader()).isEqualTo(n4);
    lab.submitAll("led-by-n4", 0, 5);
    lab.awaitCaughtUp();
    lab.assertValuesLogsConsistent(List.of(0, 1, 2, n4));
  }

  // ------------------------------------------------------------------ the background client

  /**
   * Submits m0, m1... one at a time through every node (n4 included), until told to stop, and at
   * most {@link #MAX_VALUES} values for at most {@link #MAX_SUBMITTING}. Fails on a value the
   * cluster did not commit within {@link LabHarness#WAIT}.
   */
  private CompletableFuture<Void> startSubmitting() {
    // A client of every server, n4 included, so that it finds the leader wherever it moves.
    ClusterClient client = new ClusterClient(cluster.httpUris(), WAIT);
    return lab.submitInBackground(client, "m", MAX_VALUES, MAX_SUBMITTING);
  }

  /**
   * Once the client has had 10 values acknowledged, n4 starts with --join and becomes a voter. Its
   * data directory is new and it is given no cluster id: it asks a member for it.
   */
  private void joinWhileSubmitting(int n4) throws Exception {
    await().atMost(WAIT).until(() -> lab.acknowledged.size() >= 10);
    cluster.start(n4);
    awaitVoter(n4, List.of("n1", "n2", "n3", "n4"));
    assertThat(lab.status(n4).path("clusterId").asText()).isEqualTo(cluster.clusterId().value());
    assertThat(outputLines(n4, "n4: cluster " + cluster.clusterId() + " (from http://127.0.0.1:"))
        .hasSize(1);
  }

  /** The lines of node {@code i}'s output that contain {@code text}. */
  private List<String> outputLines(int i, String text) throws IOException {
    return Files.readAllLines(cluster.output(i)).stream().filter(l -> l.contains(text)).toList();
  }

  /** Waits until the client has had {@code count} more values acknowledged. */
  private void keepSubmittingFor(int count) {
    int target = lab.acknowledged.size() + count;
    await().atMost(WAIT).until(() -> lab.acknowledged.size() >= target);
  }

  // ------------------------------------------------------------------ checks

  /** Node {@code i} says it votes, and the leader's configuration has exactly these voters. */
  private void awaitVoter(int i, List<String> voters) {
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode status = lab.statusOrNull(i);
      assertThat(status).isNotNull();
      assertThat(status.path("membership").asText()).isEqualTo("voter");
      JsonNode members = lab.get(lab.leaderIndex().orElseThrow(), "/members");
      assertThat(texts(members.path("voters"))).isEqualTo(voters);
      assertThat(texts(members.path("learners"))).isEmpty();
      assertThat(members.path("addresses").path(cluster.id(i)).asText())
          .isEqualTo(cluster.raftAddress(i));
    });
  }

  /** Every one of these nodes has exactly them as voters, and no learner. */
  private void awaitConfigurationEverywhere(List<Integer> nodes) {
    await().atMost(WAIT).untilAsserted(() -> {
      for (int i : nodes) {
        JsonNode members = lab.get(i, "/members");
        assertThat(texts(members.path("voters"))).as(cluster.id(i)).isEqualTo(ids(nodes));
        assertThat(texts(members.path("learners"))).as(cluster.id(i)).isEmpty();
        JsonNode status = lab.status(i);
        assertThat(texts(status.path("members"))).as(cluster.id(i)).isEqualTo(ids(nodes));
        assertThat(status.path("membership").asText()).isEqualTo("voter");
      }
    });
  }

  /**
   * The remaining nodes applied everything, their values.log are identical, and each holds every
   * acknowledged value exactly once and nothing else, in the order of the acknowledgements.
   */
  private void assertEveryAcknowledgedValueOnceIn(List<Integer> remaining) throws IOException {
    assertThat(lab.acknowledged).hasSizeGreaterThan(40);
    lab.awaitCaughtUp();
    lab.assertValuesLogsConsistent(remaining);
    for (int i : remaining) {
      assertThat(lab.lines(i)).as(cluster.id(i)).containsExactlyElementsOf(lab.expectedLines());
    }
  }

  // ------------------------------------------------------------------ helpers

  /** The nodes of the cluster after {@code removed} left: the old ones but it, and n4. */
  private List<Integer> remainingAfter(int removed) {
    return IntStream.range(0, cluster.size()).filter(i -> i != removed).boxed()
        .collect(Collectors.toList());
  }

  private List<String> ids(List<Integer> nodes) {
    return nodes.stream().map(cluster::id).sorted().collect(Collectors.toList());
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText)
        .collect(Collectors.toList());
  }

  private String servers() {
    return cluster.httpUris().stream().map(URI::toString).collect(Collectors.joining(","));
  }

  /** How many times node {@code i} logged that it is a voter after asking to join. */
  private long joinedLines(int i) throws IOException {
    Path out = cluster.baseDir().resolve(cluster.id(i) + ".out");
    try (var lines = Files.lines(out)) {
      return lines.filter(l -> l.contains(cluster.id(i) + ": a voter of the cluster")).count();
    }
  }

  /** Runs the example's command line in this JVM; returns what it printed, failing unless it exits 0. */
  private static String cli(String... args) {
    StringWriter out = new StringWriter();
    int status = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).execute(args);
    assertThat(status).as(out.toString()).isZero();
    return out.toString();
  }
}
