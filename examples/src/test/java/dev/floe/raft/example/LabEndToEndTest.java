package dev.floe.raft.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private LocalCluster cluster;
  private ClusterClient client;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
  private final ExecutorService background = Executors.newSingleThreadExecutor();

  @BeforeEach
  void startCluster() throws IOException {
    cluster = LocalCluster.create(dir, 3, 150);
    cluster.startAll();
    client = new ClusterClient(cluster.httpUris(), WAIT);
  }

  @AfterEach
  void stopCluster() throws InterruptedException {
    background.shutdownNow();
    background.awaitTermination(10, TimeUnit.SECONDS);
    cluster.close(); // only the processes this test started, through their Process handles
  }

  @Test
  void a_valuesSubmittedOneAtATimeToAnyNodeEndUpInAllValuesLogsInOneOrder() throws Exception {
    int leader = awaitLeader();
    for (int i = 0; i < 12; i++) {
      URI server = cluster.httpUri(i % 3); // followers forward to the leader
      HttpResponse<String> r = post(server, "/values", "a" + i);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode body = Json.parse(r.body());
      assertThat(body.path("index").asLong()).isPositive();
      assertThat(body.path("term").asLong()).isPositive();
      // 200 means written to that node's values.log already.
      assertThat(Files.readAllLines(cluster.valuesLog(i % 3))).contains("write a" + i);
      acknowledged.add("a" + i);
    }
    assertThat(status(leader).path("role").asText()).isIn("leader", "follower");
    assertValuesLogsConsistent();
    assertThat(lines(0)).containsExactlyElementsOf(expectedLines());
  }

  @Test
  void badRequestsGetTheir4xxAndChangeNothing() throws Exception {
    int leader = awaitLeader();
    acknowledged.add(client.submit("before").value());
    assertValuesLogsConsistent();
    long lastIndex = status(leader).path("lastIndex").asLong();

    for (int i = 0; i < 3; i++) {
      URI s = cluster.httpUri(i);
      assertError(post(s, "/values", ""), 400);
      assertError(post(s, "/values", "x".repeat(HttpApi.MAX_BODY_BYTES + 1)), 413);
      assertError(post(s, "/values", "x".repeat(HttpServer.MAX_AGGREGATED_BYTES + 1)), 413);
      assertError(post(s, "/values", "two\nlines"), 400);
      assertError(send(HttpRequest.newBuilder(s.resolve("/values"))
          .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xc3, (byte) 0x28}))), 400);
      assertError(post(s, "/no-such-path", "v"), 404);
      assertError(send(HttpRequest.newBuilder(s.resolve("/values")).GET()), 405);
      assertError(send(HttpRequest.newBuilder(s.resolve("/values"))
          .header(HttpApi.CLIENT_ID_HEADER, "not-a-uuid").POST(HttpRequest.BodyPublishers.ofString("v"))), 400);
      assertError(post(s, "/leadership?to=n9", ""), 400);
    }

    assertThat(status(leader).path("lastIndex").asLong()).isEqualTo(lastIndex);
    assertValuesLogsConsistent();
    assertThat(lines(0)).containsExactly("write before");
  }

  @Test
  void b_whenTheLeaderStopsTheMostUpToDateFollowerTakesOverAndLeadershipMovesOnRequest()
      throws Exception {
    awaitLeader();
    submitAll("b", 0, 5);
    int old = awaitLeader();
    cluster.stop(old); // SIGTERM: a clean shutdown

    int next = awaitLeaderOtherThan(old);
    // Only a node with every committed entry can win (the election restriction).
    assertThat(lines(next)).containsExactlyElementsOf(expectedLines());
    submitAll("b", 5, 8);

    cluster.start(old);
    awaitCaughtUp();
    int target = IntStream.range(0, 3).filter(i -> i != next).findFirst().orElseThrow();
    HttpResponse<String> moved = post(cluster.httpUri(next), "/leadership?to=" + cluster.id(target), "");
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    assertThat(Json.parse(moved.body()).path("leader").asText()).isEqualTo(cluster.id(target));
    assertThat(status(target).path("role").asText()).isEqualTo("leader");

    await().atMost(WAIT).untilAsserted(() -> {
      HttpResponse<String> notLeader = post(cluster.httpUri(next), "/leadership", "");
      assertThat(notLeader.statusCode()).isEqualTo(409);
      assertThat(Json.parse(notLeader.body()).path("leader").asText()).isEqualTo(cluster.id(target));
    });

    HttpResponse<String> best = post(cluster.httpUri(target), "/leadership", "");
    assertThat(best.statusCode()).as(best.body()).isEqualTo(200);
    String bestId = Json.parse(best.body()).path("leader").asText();
    assertThat(bestId).isNotEqualTo(cluster.id(target));
    assertThat(status(cluster.indexOf(bestId)).path("role").asText()).isEqualTo("leader");

    submitAll("b", 8, 10);
    assertValuesLogsConsistent();
    assertThat(lines(0)).containsExactlyElementsOf(expectedLines());
  }

  @Test
  void c_aKillOfTheLeaderWhileAClientSubmitsLosesNoAcknowledgedValueAndAFollowerIsRepaired()
      throws Exception {
    awaitLeader();
    List<String> values = IntStream.range(0, 60).mapToObj(i -> "c" + i).collect(Collectors.toList());
    CompletableFuture<Void> submitting = CompletableFuture.runAsync(() -> submitValues(values), background);
    await().atMost(WAIT).until(() -> acknowledged.size() >= 15);
    int leader = awaitLeader();
    cluster.kill(leader); // kill -9, in the middle of the client's stream
    submitting.get(60, TimeUnit.SECONDS);
    assertThat(acknowledged).containsExactlyElementsOf(values); // the client retried through it

    cluster.start(leader); // the old leader comes back as a follower; its log is repaired
    awaitCaughtUp();
    assertValuesLogsConsistent();

    // A follower misses the last entry: it is down while the value commits, then rejoins.
    int now = awaitLeader();
    int follower = (now + 1) % 3;
    cluster.kill(follower);
    acknowledged.add(client.submit("last").value());
    assertThat(lines(follower)).doesNotContain("write last");
    cluster.start(follower);
    awaitCaughtUp();
    assertValuesLogsConsistent();
    assertThat(lines(follower)).containsExactlyElementsOf(expectedLines());
  }

  @Test
  void bonus_aNodeThatWasDownWhileManyValuesCommittedCatchesUp() throws Exception {
    int leader = awaitLeader();
    int down = (leader + 2) % 3;
    submitAll("d", 0, 3);
    cluster.stop(down);
    submitAll("d", 3, 150);
    assertThat(lines(down)).hasSize(3);
    cluster.start(down);
    awaitCaughtUp();
    assertValuesLogsConsistent();
    assertThat(lines(down)).containsExactlyElementsOf(expectedLines());
  }

  // ------------------------------------------------------------------ helpers

  private void submitAll(String prefix, int from, int to) {
    submitValues(IntStream.range(from, to).mapToObj(i -> prefix + i).collect(Collectors.toList()));
  }

  private void submitValues(List<String> values) {
    for (String v : values) {
      try {
        acknowledged.add(client.submit(v).value());
      } catch (ClusterClient.SubmitFailedException e) {
        throw new AssertionError(e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The three values.log (of the running nodes) are equal and hold each acknowledged value once. */
  private void assertValuesLogsConsistent() throws IOException {
    await().atMost(WAIT).untilAsserted(() -> {
      List<String> reference = lines(0);
      for (int i = 1; i < 3; i++) {
        assertThat(lines(i)).as("%s vs n1", cluster.id(i)).isEqualTo(reference);
      }
    });
    List<String> all = lines(0);
    assertThat(all).doesNotHaveDuplicates();
    for (String v : List.copyOf(acknowledged)) {
      assertThat(all).as("acknowledged " + v).containsOnlyOnce("write " + v);
    }
  }

  private List<String> expectedLines() {
    return acknowledged.stream().map(v -> "write " + v).collect(Collectors.toList());
  }

  private List<String> lines(int i) throws IOException {
    Path file = cluster.valuesLog(i);
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private int awaitLeader() {
    return await().atMost(WAIT).until(this::leaderIndex, Optional::isPresent).orElseThrow();
  }

  private int awaitLeaderOtherThan(int old) {
    return await().atMost(WAIT).until(this::leaderIndex, l -> l.isPresent() && l.get() != old)
        .orElseThrow();
  }

  private Optional<Integer> leaderIndex() {
    for (int i = 0; i < 3; i++) {
      JsonNode s = statusOrNull(i);
      if (s != null && s.path("role").asText().equals("leader")) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** Every running node has applied everything the leader has committed. */
  private void awaitCaughtUp() {
    await().atMost(WAIT).until(() -> {
      Optional<Integer> leader = leaderIndex();
      if (leader.isEmpty()) {
        return false;
      }
      long commit = status(leader.get()).path("commitIndex").asLong();
      return IntStream.range(0, 3).filter(cluster::isRunning).allMatch(i -> {
        JsonNode s = statusOrNull(i);
        return s != null && s.path("appliedIndex").asLong() >= commit;
      });
    });
  }

  private JsonNode status(int i) throws IOException, InterruptedException {
    HttpResponse<String> r = send(HttpRequest.newBuilder(cluster.httpUri(i).resolve("/status")).GET());
    assertThat(r.statusCode()).isEqualTo(200);
    return Json.parse(r.body());
  }

  private JsonNode statusOrNull(int i) {
    try {
      return cluster.isRunning(i) ? status(i) : null;
    } catch (IOException | AssertionError e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private HttpResponse<String> post(URI server, String path, String body)
      throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(server.resolve(path))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> response, int status) throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(Json.parse(response.body()).path("error").asText()).isNotEmpty();
  }

}
