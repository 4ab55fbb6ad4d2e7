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
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's scenarios against three real processes of the example on 127.0.0.1, driven over HTTP
 * as a user would. After each scenario the three values.log are identical and hold every
 * acknowledged value exactly once.
 */
class LabEndToEndTest {
  private static final Duration WAIT = LabHarness.WAIT;

  @TempDir Path dir;
  private LabHarness lab;
  private LocalCluster cluster;
  private ClusterClient client;
  private List<String> acknowledged;

  @BeforeEach
  void startCluster() throws IOException {
    lab = LabHarness.start(dir, List.of());
    cluster = lab.cluster;
    client = lab.client;
    acknowledged = lab.acknowledged;
  }

  @AfterEach
  void stopCluster() throws InterruptedException {
    lab.close(); // only the processes this test started, through their Process handles
  }

  @Test
  void a_valuesSubmittedOneAtATimeToAnyNodeEndUpInAllValuesLogsInOneOrder() throws Exception {
    int leader = lab.awaitLeader();
    for (int i = 0; i < 12; i++) {
      URI server = cluster.httpUri(i % 3); // followers forward to the leader
      HttpResponse<String> r = lab.post(server, "/values", "a" + i);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode body = Json.parse(r.body());
      assertThat(body.path("index").asLong()).isPositive();
      assertThat(body.path("term").asLong()).isPositive();
      // 200 means written to that node's values.log already.
      assertThat(Files.readAllLines(cluster.valuesLog(i % 3))).contains("write a" + i);
      acknowledged.add("a" + i);
    }
    assertThat(lab.status(leader).path("role").asText()).isIn("leader", "follower");
    lab.assertValuesLogsConsistent();
    assertThat(lab.lines(0)).containsExactlyElementsOf(lab.expectedLines());
  }

  @Test
  void badRequestsGetTheir4xxAndChangeNothing() throws Exception {
    int leader = lab.awaitLeader();
    acknowledged.add(client.submit("before").value());
    lab.assertValuesLogsConsistent();
    long lastIndex = lab.status(leader).path("lastIndex").asLong();

    for (int i = 0; i < 3; i++) {
      URI s = cluster.httpUri(i);
      assertError(lab.post(s, "/values", ""), 400);
      assertError(lab.post(s, "/values", "x".repeat(HttpApi.MAX_BODY_BYTES + 1)), 413);
      assertError(lab.post(s, "/values", "x".repeat(16 * HttpApi.MAX_BODY_BYTES + 1)), 413);
      assertError(lab.post(s, "/values", "two\nlines"), 400);
      assertError(lab.send(HttpRequest.newBuilder(s.resolve("/values"))
          .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xc3, (byte) 0x28}))), 400);
      assertError(lab.post(s, "/no-such-path", "v"), 404);
      assertError(lab.send(HttpRequest.newBuilder(s.resolve("/values")).GET()), 405);
      assertError(lab.send(HttpRequest.newBuilder(s.resolve("/values"))
          .header(HttpApi.CLIENT_ID_HEADER, "not-a-uuid").POST(HttpRequest.BodyPublishers.ofString("v"))), 400);
      assertError(lab.post(s, "/leadership?to=n9", ""), 400);
    }

    assertThat(lab.status(leader).path("lastIndex").asLong()).isEqualTo(lastIndex);
    lab.assertValuesLogsConsistent();
    assertThat(lab.lines(0)).containsExactly("write before");
  }

  @Test
  void b_whenTheLeaderStopsTheMostUpToDateFollowerTakesOverAndLeadershipMovesOnRequest()
      throws Exception {
    lab.awaitLeader();
    lab.submitAll("b", 0, 5);
    int old = lab.awaitLeader();
    cluster.stop(old); // SIGTERM: a clean shutdown

    int next = lab.awaitLeaderOtherThan(old);
    // Only a node with every committed entry can win (the election restriction).
    assertThat(lab.lines(next)).containsExactlyElementsOf(lab.expectedLines());
    lab.submitAll("b", 5, 8);

    cluster.start(old);
    lab.awaitCaughtUp();
    int target = IntStream.range(0, 3).filter(i -> i != next).findFirst().orElseThrow();
    HttpResponse<String> moved = lab.post(cluster.httpUri(next), "/leadership?to=" + cluster.id(target), "");
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    assertThat(Json.parse(moved.body()).path("leader").asText()).isEqualTo(cluster.id(target));
    assertThat(lab.status(target).path("role").asText()).isEqualTo("leader");

    await().atMost(WAIT).untilAsserted(() -> {
      HttpResponse<String> notLeader = lab.post(cluster.httpUri(next), "/leadership", "");
      assertThat(notLeader.statusCode()).isEqualTo(409);
      assertThat(Json.parse(notLeader.body()).path("leader").asText()).isEqualTo(cluster.id(target));
    });

    HttpResponse<String> best = lab.post(cluster.httpUri(target), "/leadership", "");
    assertThat(best.statusCode()).as(best.body()).isEqualTo(200);
    String bestId = Json.parse(best.body()).path("leader").asText();
    assertThat(bestId).isNotEqualTo(cluster.id(target));
    assertThat(lab.status(cluster.indexOf(bestId)).path("role").asText()).isEqualTo("leader");

    lab.submitAll("b", 8, 10);
    lab.assertValuesLogsConsistent();
    assertThat(lab.lines(0)).containsExactlyElementsOf(lab.expectedLines());
  }

  @Test
  void c_aKillOfTheLeaderWhileAClientSubmitsLosesNoAcknowledgedValueAndAFollowerIsRepaired()
      throws Exception {
    lab.awaitLeader();
    List<String> values = IntStream.range(0, 60).mapToObj(i -> "c" + i).collect(Collectors.toList());
    CompletableFuture<Void> submitting = lab.inBackground(() -> lab.submitValues(values));
    await().atMost(WAIT).until(() -> acknowledged.size() >= 15);
    int leader = lab.awaitLeader();
    cluster.kill(leader); // kill -9, in the middle of the client's stream
    submitting.get(60, TimeUnit.SECONDS);
    assertThat(acknowledged).containsExactlyElementsOf(values); // the client retried through it

    cluster.start(leader); // the old leader comes back as a follower; its log is repaired
    lab.awaitCaughtUp();
    lab.assertValuesLogsConsistent();

    // A follower misses the last entry: it is down while the value commits, then rejoins.
    int now = lab.awaitLeader();
    int follower = (now + 1) % 3;
    cluster.kill(follower);
    acknowledged.add(client.submit("last").value());
    assertThat(lab.lines(follower)).doesNotContain("write last");
    cluster.start(follower);
    lab.awaitCaughtUp();
    lab.assertValuesLogsConsistent();
    assertThat(lab.lines(follower)).containsExactlyElementsOf(lab.expectedLines());
  }

  @Test
  void bonus_aNodeThatWasDownWhileManyValuesCommittedCatchesUp() throws Exception {
    int leader = lab.awaitLeader();
    int down = (leader + 2) % 3;
    lab.submitAll("d", 0, 3);
    cluster.stop(down);
    lab.submitAll("d", 3, 150);
    assertThat(lab.lines(down)).hasSize(3);
    cluster.start(down);
    lab.awaitCaughtUp();
    lab.assertValuesLogsConsistent();
    assertThat(lab.lines(down)).containsExactlyElementsOf(lab.expectedLines());
  }

  // ------------------------------------------------------------------ helpers

  private static void assertError(HttpResponse<String> response, int status) throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(Json.parse(response.body()).path("error").asText()).isNotEmpty();
  }
}
