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
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API against hostile and sloppy clients: a one-node cluster in this JVM (it elects
 * itself), reached over real sockets on 127.0.0.1, by the JDK's HTTP client and by raw sockets
 * that send exactly the bytes a test needs ({@link RawHttp}).
 */
class HttpApiTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private NodeServer server;
  private URI base;
  private final List<RawHttp> sockets = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private final ScheduledExecutorService slowWriter = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    slowWriter.shutdownNow();
    sockets.forEach(RawHttp::close);
    if (server != null) {
      server.close();
    }
  }

  // ------------------------------------------------------------------ keys

  @Test
  void aPercentEncodedKeyIsDecodedOnceSoDifferentTargetsAreDifferentKeys() throws Exception {
    start(HttpLimits.DEFAULTS, Map.of());
    assertThat(put("/kv/%2541", "percent-four-one").statusCode()).isEqualTo(200);
    assertThat(get("/kv/A").statusCode()).isEqualTo(404);
    assertThat(get("/kv/%2541").body()).isEqualTo("percent-four-one");

    assertThat(put("/kv/x%2Fy", "slash").statusCode()).isEqualTo(200);
    assertThat(put("/kv/x%252Fy", "escaped").statusCode()).isEqualTo(200);
    assertThat(get("/kv/x%2Fy").body()).isEqualTo("slash");
    assertThat(get("/kv/x%252Fy").body()).isEqualTo("escaped");

    assertThat(put("/kv/a+b", "plus").statusCode()).isEqualTo(200);
    assertThat(get("/kv/a%20b").statusCode()).isEqualTo(404);
    assertThat(get("/kv/a%2Bb").body()).isEqualTo("plus");

    assertThat(put("/kv/caf%C3%A9", "accent").statusCode()).isEqualTo(200);
    assertThat(get("/kv/caf%c3%a9").body()).isEqualTo("accent");
    assertThat(get("/view").body()).contains("put caf\u00e9 (key-value store)");
  }

  @Test
  void invalidUtf8AndBadEscapesInAKeyAre400sThatSaySoAndChangeNothing() throws Exception {
    start(HttpLimits.DEFAULTS, Map.of());
    long lastIndex = lastIndex();

    assertError(put("/kv/%FF", "v"), 400, "is not valid UTF-8");
    assertError(put("/kv/%FE", "v"), 400, "is not valid UTF-8");
    assertError(put("/kv/%C3%28", "v"), 400, "is not valid UTF-8");
    assertError(put("/kv/%ED%A0%80", "v"), 400, "is not valid UTF-8"); // a lone surrogate
    assertError(get("/kv/%FF"), 400, "is not valid UTF-8");
    // Targets the JDK's client refuses to send: a raw socket sends them as they are.
    RawHttp raw = raw();
    raw.send(rawPut("/kv/%G1"));
    assertError(raw.readResponse(), 400, "bad percent-encoding in the path at '%G1'");
    raw.send(rawPut("/kv/ab%4"));
    assertError(raw.readResponse(), 400, "bad percent-encoding in the path at '%4'");
    raw.send(rawPut("/kv/caf\u00e9"));
    assertError(raw.readResponse(), 400, "not printable ASCII");

    assertThat(lastIndex()).isEqualTo(lastIndex);
  }

  @Test
  void anEmptyOrMissingKeyIsA400ThatSaysSo() throws Exception {
    start(HttpLimits.DEFAULTS, Map.of());
    long lastIndex = lastIndex();

    assertError(put("/kv/", "v"), 400, "the key is empty");
    assertError(get("/kv/"), 400, "the key is empty");
    assertError(put("/kv", "v"), 400, "no key");
    assertError(put("/kv/a/b", "v"), 400, "one path segment");

    assertThat(lastIndex()).isEqualTo(lastIndex);
  }

  // ------------------------------------------------------------------ timeouts and limits

  @Test
  void aClientSendingItsHeadOneByteAtATimeGets408AndTheConnectionClosesBeforeTheHeadEnds()
      throws Exception {
    start(new HttpLimits(1_000, 60_000, 60_000, 64), Map.of());
    byte[] head = ("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\n"
        + "X-Padding: " + "p".repeat(200) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    RawHttp raw = raw();
    AtomicInteger sent = new AtomicInteger();
    // One byte every 50 ms: the whole head would take more than 12 s.
    slowWriter.scheduleAtFixedRate(() -> {
      int next = sent.get();
      if (next < head.length && raw.trySend(new byte[] {head[next]})) {
        sent.incrementAndGet();
      }
    }, 0, 50, TimeUnit.MILLISECONDS);

    RawHttp.Response response = raw.readResponse();

    assertError(response, 408, "the request's head did not arrive within 1000 ms");
    assertThat(response.header("connection")).isEqualTo("close");
    assertThat(raw.readToEnd()).isEmpty();
    assertThat(sent.get()).isLessThan(head.length);
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeoutWithoutAnAnswer() throws Exception {
    start(new HttpLimits(500, 60_000, 60_000, 64), Map.of());
    RawHttp raw = raw();
    assertThat(raw.readToEnd()).isEmpty();
  }

  @Test
  void aBodyThatStopsArrivingGets408() throws Exception {
    start(new HttpLimits(60_000, 60_000, 1_000, 64), Map.of());
    RawHttp raw = raw();
    raw.send(("POST /values HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-ten!!")
        .getBytes(StandardCharsets.US_ASCII));

    RawHttp.Response response = raw.readResponse();

    assertError(response, 408, "the request's body did not arrive within 1000 ms");
    assertThat(response.header("connection")).isEqualTo("close");
    assertThat(raw.readToEnd()).isEmpty();
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    start(new HttpLimits(60_000, 500, 60_000, 64), Map.of());
    RawHttp raw = raw();
    raw.send("GET /status HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    RawHttp.Response first = raw.readResponse();
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("connection")).isEqualTo("keep-alive");

    assertThat(raw.readToEnd()).isEmpty(); // closed by the server, with nothing more said
  }

  @Test
  void aKeepAliveConnectionServesRequestsOneAfterAnotherEvenPipelined() throws Exception {
    start(HttpLimits.DEFAULTS, Map.of());
    RawHttp raw = raw();
    raw.send(("GET /status HTTP/1.1\r\nHost: x\r\n\r\n"
        + "POST /values HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\npipelined"
        + "GET /kv/nothing-here HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

    assertThat(raw.readResponse().status()).isEqualTo(200);
    RawHttp.Response written = raw.readResponse();
    assertThat(written.status()).as(written.body()).isEqualTo(200);
    assertThat(Json.parse(written.body()).path("index").asLong()).isPositive();
    assertThat(raw.readResponse().status()).isEqualTo(404);
  }

  @Test
  void connectionsOverTheLimitGet503AndAreServedOnceOneCloses() throws Exception {
    start(new HttpLimits(60_000, 60_000, 60_000, 4), Map.of());
    List<RawHttp> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      RawHttp raw = raw();
      // A full exchange: the server has accepted and counted this connection.
      raw.send("GET /status HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(raw.readResponse().status()).isEqualTo(200);
      held.add(raw);
    }

    RawHttp fifth = raw();
    fifth.send("GET /status HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    RawHttp.Response refused = fifth.readResponse();
    assertError(refused, 503, "too many connections: this server serves at most 4 at once");
    assertThat(refused.header("connection")).isEqualTo("close");
    assertThat(fifth.readToEnd()).isEmpty();

    held.get(0).close();
    await().atMost(WAIT).untilAsserted(() -> assertThat(get("/status").statusCode()).isEqualTo(200));
  }

  @Test
  void unsupportedHttpVersionsGet505AndHttp10IsServed() throws Exception {
    start(HttpLimits.DEFAULTS, Map.of());
    for (String version : List.of("HTTP/9.9", "HTTP/2.0", "HTTP/1.2")) {
      RawHttp raw = raw();
      raw.send(("GET /status " + version + "\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      RawHttp.Response response = raw.readResponse();
      assertError(response, 505, version + " is not supported: use HTTP/1.1");
      assertThat(response.header("connection")).isEqualTo("close");
      assertThat(raw.readToEnd()).isEmpty();
    }
    RawHttp old = raw();
    old.send("GET /status HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(old.readResponse().status()).isEqualTo(200);
    assertThat(old.readToEnd()).isEmpty(); // HTTP/1.0 without keep-alive: closed after it
  }

  @Test
  void aRequestLineOrHeadersOverNettysLimitsGet414And431() throws Exception {
    start(HttpLimits.DEFAULTS, Map.of());
    RawHttp longLine = raw();
    longLine.send(("GET /kv/" + "k".repeat(5_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    assertError(longLine.readResponse(), 414, "request line too long");
    assertThat(longLine.readToEnd()).isEmpty();

    RawHttp bigHeaders = raw();
    bigHeaders.send(("GET /status HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(9_000)
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    assertError(bigHeaders.readResponse(), 431, "request headers too large");
    assertThat(bigHeaders.readToEnd()).isEmpty();
  }

  // ------------------------------------------------------------------ oversized bodies

  @Test
  void aClientThatWritesAWholeOversizedBodyBeforeItReadsGetsThe413() throws Exception {
    start(HttpLimits.DEFAULTS, Map.of());
    long lastIndex = lastIndex();
    int length = 1024 * 1024;
    RawHttp raw = raw();
    raw.send(("POST /values HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + length
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    raw.send(new byte[length]); // all of it, as Python's urllib does, before reading anything

    RawHttp.Response response = raw.readResponse();

    assertError(response, 413, "request body of 1048576 bytes is over the limit of 65536 bytes");
    assertThat(response.header("connection")).isEqualTo("close");
    assertThat(raw.readToEnd()).isEmpty();
    assertThat(lastIndex()).isEqualTo(lastIndex);
  }

  @Test
  void anOversizedBodyAnnouncedWithExpectContinueIsRefusedBeforeItIsSent() throws Exception {
    start(HttpLimits.DEFAULTS, Map.of());
    RawHttp raw = raw();
    raw.send(("PUT /kv/big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
        + (10 * 1024 * 1024) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

    RawHttp.Response response = raw.readResponse();

    assertError(response, 413, "over the limit of 65536 bytes");
    assertThat(response.header("connection")).isEqualTo("close");
    assertThat(raw.readToEnd()).isEmpty();
  }

  @Test
  void aSmallBodyWithExpectContinueGets100ContinueThenItsAnswer() throws Exception {
    start(HttpLimits.DEFAULTS, Map.of());
    RawHttp raw = raw();
    raw.send(("POST /values HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    assertThat(raw.readResponse().status()).isEqualTo(100);
    raw.send("small".getBytes(StandardCharsets.US_ASCII));
    RawHttp.Response response = raw.readResponse();
    assertThat(response.status()).as(response.body()).isEqualTo(200);
  }

  @Test
  void anOversizedChunkedBodyGets413AndAKeepAliveClientGetsItToo() throws Exception {
    start(HttpLimits.DEFAULTS, Map.of());
    long lastIndex = lastIndex();
    RawHttp raw = raw();
    raw.send("POST /values HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
    String chunk = "x".repeat(16 * 1024);
    for (int i = 0; i < 5; i++) {
      raw.send(("4000\r\n" + chunk + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    raw.send("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    RawHttp.Response chunked = raw.readResponse();
    assertError(chunked, 413, "request body over the limit of 65536 bytes");
    assertThat(chunked.header("connection")).isEqualTo("close");

    HttpResponse<String> keepAlive = http.send(request("/values")
        .POST(HttpRequest.BodyPublishers.ofString("y".repeat(1024 * 1024))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(keepAlive.statusCode()).isEqualTo(413);
    assertThat(Json.parse(keepAlive.body()).path("error").asText()).contains("over the limit");

    assertThat(lastIndex()).isEqualTo(lastIndex);
  }

  // ------------------------------------------------------------------ the live page

  @Test
  void theNodeServesThePageAndItsAssetsAndTheyLoadNothingFromElsewhere() throws Exception {
    start(HttpLimits.DEFAULTS, Map.of());
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
        .startsWith("default-src 'self'");
    assertThat(page.body()).contains("src=\"page.js\"").contains("href=\"page.css\"");
    HttpResponse<String> script = get("/page.js");
    HttpResponse<String> style = get("/page.css");
    assertThat(script.headers().firstValue("content-type")).contains("text/javascript; charset=utf-8");
    assertThat(style.headers().firstValue("content-type")).contains("text/css; charset=utf-8");
    for (String asset : List.of(page.body(), script.body(), style.body())) {
      assertThat(asset).doesNotContain("http://", "https://", "//cdn", "@import");
    }
    assertError(post("/page.js", ""), 405, "use GET");
  }

  @Test
  void viewShowsTheLogTailWithTermsAndCommitsAndTheValuesLogTail() throws Exception {
    start(HttpLimits.DEFAULTS, Map.of());
    for (String v : List.of("a", "b", "c")) {
      assertThat(post("/values", v).statusCode()).isEqualTo(200);
    }

    JsonNode view = Json.parse(get("/view").body());

    long term = view.path("status").path("term").asLong();
    JsonNode entries = view.path("log").path("entries");
    assertThat(entries.get(0).path("entry").asText()).isEqualTo("no-op (a new leader)");
    List<String> last = new ArrayList<>();
    for (int i = entries.size() - 3; i < entries.size(); i++) {
      JsonNode e = entries.get(i);
      assertThat(e.path("term").asLong()).isEqualTo(term);
      assertThat(e.path("committed").asBoolean()).isTrue();
      last.add(e.path("entry").asText());
    }
    assertThat(last).containsExactly("write a", "write b", "write c");
    assertThat(entries.get(entries.size() - 1).path("index").asLong())
        .isEqualTo(view.path("log").path("lastIndex").asLong());
    assertThat(view.path("values").path("lines").asLong()).isEqualTo(3);
    assertThat(view.path("values").path("tail").toString())
        .isEqualTo("[\"write a\",\"write b\",\"write c\"]");
  }

  @Test
  void clusterShowsThisNodeUpAndANodeThatDoesNotAnswerAsDown() throws Exception {
    int nobody = freePort();
    URI absent = URI.create("http://127.0.0.1:" + nobody);
    start(HttpLimits.DEFAULTS, Map.of(NodeId.of("n2"), absent));

    JsonNode cluster = Json.parse(get("/cluster").body());

    assertThat(cluster.path("demo").asBoolean()).isFalse();
    JsonNode nodes = cluster.path("nodes");
    assertThat(nodes).hasSize(2);
    assertThat(nodes.get(0).path("id").asText()).isEqualTo("n1");
    assertThat(nodes.get(0).path("state").asText()).isEqualTo("up");
    assertThat(nodes.get(0).path("view").path("status").path("role").asText()).isEqualTo("leader");
    assertThat(nodes.get(1).path("id").asText()).isEqualTo("n2");
    assertThat(nodes.get(1).path("http").asText()).isEqualTo(absent.toString());
    assertThat(nodes.get(1).path("state").asText()).isEqualTo("down");
    assertThat(nodes.get(1).path("reason").asText()).contains("connection refused");
  }

  // ------------------------------------------------------------------ helpers

  /** Starts n1, alone in its cluster, and waits until it leads. */
  private void start(HttpLimits limits, Map<NodeId, URI> clusterHttp) throws IOException {
    server = NodeServer.start(NodeId.of("n1"), ClusterId.random(),
        Map.of(NodeId.of("n1"), new InetSocketAddress("127.0.0.1", freePort())),
        new InetSocketAddress("127.0.0.1", 0), dir.resolve("n1"), 150,
        new SnapshotOptions(10_000, 1_000, NodeServer.SNAPSHOT_CHUNK_BYTES), List.of(), false,
        limits, clusterHttp);
    base = URI.create("http://127.0.0.1:" + server.httpAddress().getPort());
    await().atMost(WAIT).until(() -> server.node().status().isLeader());
  }

  /** {@code PUT target} with a one-byte body, the target's characters sent as UTF-8. */
  private static byte[] rawPut(String target) {
    return ("PUT " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nv")
        .getBytes(StandardCharsets.UTF_8);
  }

  private long lastIndex() throws Exception {
    return Json.parse(get("/status").body()).path("lastIndex").asLong();
  }

  private RawHttp raw() throws IOException {
    RawHttp raw = new RawHttp(server.httpAddress().getPort());
    sockets.add(raw);
    return raw;
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT);
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> put(String path, String body) throws IOException, InterruptedException {
    return http.send(request(path).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return http.send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> response, int status, String message)
      throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(Json.parse(response.body()).path("error").asText()).contains(message);
  }

  private static void assertError(RawHttp.Response response, int status, String message)
      throws IOException {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.header("content-type")).isEqualTo("application/json");
    assertThat(Json.parse(response.body()).path("error").asText()).contains(message);
  }

  /** A free port outside the range of outgoing connections' ports (see LocalCluster). */
  private static int freePort() throws IOException {
    return LocalCluster.freePort();
  }
}
