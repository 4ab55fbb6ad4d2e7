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

import com.fasterxml.jackson.databind.JsonNode;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The membership endpoints on a node started with {@code --join} whose cluster cannot be reached (a
 * node in this JVM; nothing listens at the members it was given): its API works with no
 * configuration, and malformed membership requests are refused before they reach the node.
 */
class MembersHttpApiTest {
  @TempDir Path dir;
  private NodeServer server;
  private URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void startJoiningNode() throws IOException {
    Map<NodeId, InetSocketAddress> cluster = new LinkedHashMap<>();
    int absent = freePort(); // n1's ports: nothing listens there
    cluster.put(NodeId.of("n1"), new InetSocketAddress("127.0.0.1", absent));
    cluster.put(NodeId.of("n4"), new InetSocketAddress("127.0.0.1", freePort()));
    server = NodeServer.start(NodeId.of("n4"), ClusterId.random(), cluster,
        new InetSocketAddress("127.0.0.1", 0),
        dir.resolve("n4"), 150, new SnapshotOptions(10_000, 1_000, NodeServer.SNAPSHOT_CHUNK_BYTES),
        List.of(URI.create("http://127.0.0.1:" + absent)), false, HttpLimits.DEFAULTS, Map.of());
    base = URI.create("http://127.0.0.1:" + server.httpAddress().getPort());
  }

  @AfterEach
  void stopNode() {
    server.close();
  }

  @Test
  void aJoiningNodeServesStatusAndMembersWithNoConfiguration() throws Exception {
    HttpResponse<String> status = get("/status");
    assertThat(status.statusCode()).isEqualTo(200);
    JsonNode s = Json.parse(status.body());
    assertThat(s.path("id").asText()).isEqualTo("n4");
    assertThat(s.path("role").asText()).isEqualTo("follower");
    assertThat(s.path("leader").isNull()).isTrue();
    assertThat(s.path("members")).isEmpty();
    assertThat(s.path("learners")).isEmpty();
    assertThat(s.path("membership").asText()).isEqualTo("none");

    HttpResponse<String> members = get("/members");
    assertThat(members.statusCode()).isEqualTo(200);
    JsonNode m = Json.parse(members.body());
    assertThat(m.path("node").asText()).isEqualTo("n4");
    assertThat(m.path("leader").isNull()).isTrue();
    assertThat(m.path("voters")).isEmpty();
    assertThat(m.path("learners")).isEmpty();
    assertThat(m.path("addresses")).isEmpty();

    // It cannot change the membership, and knowing no leader it says so at once.
    long start = System.nanoTime();
    assertError(post("/members", "{\"id\":\"n5\",\"address\":\"127.0.0.1:7005\"}"), 503,
        "not a voter and knows no leader");
    assertError(send(request("/members/n1").DELETE()), 503, "not a voter and knows no leader");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(
        Duration.ofMillis(HttpApi.NO_LEADER_RETRY_MILLIS));
    assertThat(server.node().configuration()).isEqualTo(Configuration.empty());
  }

  @Test
  void malformedMembershipRequestsAreRefusedAndChangeNothing() throws Exception {
    assertError(post("/members", "not json"), 400, "not JSON");
    assertError(post("/members", "[1]"), 400, "JSON object");
    assertError(post("/members", "{\"address\":\"127.0.0.1:7005\"}"), 400, "missing field 'id'");
    assertError(post("/members", "{\"id\":\"n5\"}"), 400, "missing field 'address'");
    assertError(post("/members", "{\"id\":\"bad id\",\"address\":\"127.0.0.1:7005\"}"), 400,
        "invalid node id");
    assertError(post("/members", "{\"id\":5,\"address\":\"127.0.0.1:7005\"}"), 400,
        "'id' must be a string");
    assertError(post("/members", "{\"id\":\"n5\",\"address\":\"127.0.0.1\"}"), 400, "bad address");
    assertError(post("/members", "{\"id\":\"n5\",\"address\":\"127.0.0.1:99999\"}"), 400,
        "out of range");
    assertError(post("/members", "{\"id\":\"n5\",\"address\":\"127.0.0.1:x\"}"), 400, "bad address");
    assertError(post("/members", "{\"id\":\"n5\",\"address\":\"127.0.0.1:7005\",\"role\":\"boss\"}"),
        400, "role must be voter or learner");
    assertError(post("/members", "{\"id\":\"n5\",\"adress\":\"127.0.0.1:7005\"}"), 400,
        "unknown field 'adress'");
    assertError(send(request("/members/bad%20id").DELETE()), 400, "invalid node id");
    assertError(post("/members/bad!/promote", ""), 400, "invalid node id");

    assertError(send(request("/members").PUT(HttpRequest.BodyPublishers.ofString("{}"))), 405, "use GET or POST");
    assertError(get("/members/n1"), 405, "use DELETE");
    assertError(get("/members/n1/promote"), 405, "use POST");
    assertError(post("/members/n1/demote", ""), 404, "no such path");
    assertError(post("/members/n1/promote/now", ""), 404, "no such path");

    assertThat(server.node().configuration()).isEqualTo(Configuration.empty());
  }

  // ------------------------------------------------------------------ helpers

  private static void assertError(HttpResponse<String> response, int status, String message)
      throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(Json.parse(response.body()).path("error").asText()).contains(message);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(request(path).GET());
  }

  private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    }
  }
}
