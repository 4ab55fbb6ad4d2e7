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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What the end-to-end tests share: a {@link LocalCluster} of three example processes (and the nodes
 * a test adds to it), a
 * {@link ClusterClient} submitting through it, the list of values it acknowledged, and the checks
 * and waits made over HTTP ({@code /status}) and on the nodes' values.log files.
 *
 * <p>{@link #close()} stops only the processes the cluster started, through their Process handles.
 */
final class LabHarness implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);

  final LocalCluster cluster;
  final ClusterClient client;
  /** Values the cluster acknowledged (committed), in the order of the acknowledgements. */
  final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /** Where a test's client runs while the test kills and restarts nodes. */
  private final ExecutorService background = Executors.newSingleThreadExecutor();
  private final AtomicBoolean stopBackground = new AtomicBoolean();

  private LabHarness(LocalCluster cluster) {
    this.cluster = cluster;
    this.client = new ClusterClient(cluster.httpUris(), WAIT);
  }

  /** Starts three nodes in {@code dir}, each with {@code extraNodeArgs}. */
  static LabHarness start(Path dir, List<String> extraNodeArgs) throws IOException {
    LabHarness lab = create(dir, extraNodeArgs);
    try {
      lab.cluster.startAll();
    } catch (IOException | RuntimeException e) {
      lab.cluster.close();
      throw e;
    }
    return lab;
  }

  /** Prepares three nodes in {@code dir}, each with {@code extraNodeArgs}; the test starts them. */
  static LabHarness create(Path dir, List<String> extraNodeArgs) throws IOException {
    return new LabHarness(LocalCluster.create(dir, 3, 150, extraNodeArgs));
  }

  @Override
  public void close() {
    stopBackground.set(true);
    background.shutdownNow();
    try {
      background.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    cluster.close();
  }

  // ------------------------------------------------------------------ submitting

  /** Submits {@code prefix + i} for i in [from, to), one at a time; fails on a refused value. */
  void submitAll(String prefix, int from, int to) {
    submitValues(IntStream.range(from, to).mapToObj(i -> prefix + i).collect(Collectors.toList()));
  }

  /** Submits the values one at a time and records each acknowledged one; fails on a refusal. */
  void submitValues(List<String> values) {
    for (String v : values) {
      if (!submit(v)) {
        return;
      }
    }
  }

  /** Runs {@code task} on the background thread (one task at a time, stopped by close()). */
  CompletableFuture<Void> inBackground(Runnable task) {
    return CompletableFuture.runAsync(task, background);
  }

  /**
   * Submits {@code prefix + k}, k = 0, 1, ..., one at a time through {@code via} on the background
   * thread, until {@link #stopSubmitting} is called, {@code maxValues} were submitted or {@code
   * maxTime} passed, whichever comes first; fails on a value the cluster refused.
   */
  CompletableFuture<Void> submitInBackground(
      ClusterClient via, String prefix, int maxValues, Duration maxTime) {
    long deadline = System.nanoTime() + maxTime.toNanos();
    return inBackground(() -> {
      for (int k = 0; k < maxValues && !stopBackground.get() && System.nanoTime() < deadline; k++) {
        if (!submit(via, prefix + k)) {
          return;
        }
      }
    });
  }

  /** Stops the background client and waits for its last value's answer. */
  void stopSubmitting(CompletableFuture<Void> submitting) throws Exception {
    stopBackground.set(true);
    submitting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Submits one value; false if interrupted (nothing is recorded then). */
  boolean submit(String value) {
    return submit(client, value);
  }

  private boolean submit(ClusterClient via, String value) {
    try {
      acknowledged.add(via.submit(value).value());
      return true;
    } catch (ClusterClient.SubmitFailedException e) {
      throw new AssertionError(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  // ------------------------------------------------------------------ values.log

  /** The three values.log (of the running nodes) are equal and hold each acknowledged value once. */
  void assertValuesLogsConsistent() throws IOException {
    assertValuesLogsConsistent(List.of(0, 1, 2));
  }

  /** These nodes' values.log are equal and hold each acknowledged value once. */
  void assertValuesLogsConsistent(List<Integer> nodes) throws IOException {
    int first = nodes.get(0);
    await().atMost(WAIT).untilAsserted(() -> {
      List<String> reference = lines(first);
      for (int i : nodes.subList(1, nodes.size())) {
        assertThat(lines(i)).as("%s vs %s", cluster.id(i), cluster.id(first)).isEqualTo(reference);
      }
    });
    List<String> all = lines(first);
    assertThat(all).doesNotHaveDuplicates();
    for (String v : List.copyOf(acknowledged)) {
      assertThat(all).as("acknowledged " + v).containsOnlyOnce("write " + v);
    }
  }

  /** The lines every values.log should hold: one per acknowledged value, in order. */
  List<String> expectedLines() {
    return List.copyOf(acknowledged).stream().map(v -> "write " + v).collect(Collectors.toList());
  }

  /** Node {@code i}'s values.log, or nothing if it has none. */
  List<String> lines(int i) throws IOException {
    Path file = cluster.valuesLog(i);
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  // ------------------------------------------------------------------ status and waits

  int awaitLeader() {
    return await().atMost(WAIT).until(this::leaderIndex, Optional::isPresent).orElseThrow();
  }

  int awaitLeaderOtherThan(int old) {
    return await().atMost(WAIT).until(this::leaderIndex, l -> l.isPresent() && l.get() != old)
        .orElseThrow();
  }

  Optional<Integer> leaderIndex() {
    for (int i = 0; i < cluster.size(); i++) {
      JsonNode s = statusOrNull(i);
      if (s != null && s.path("role").asText().equals("leader")) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** Every running node has applied everything the leader has committed. */
  void awaitCaughtUp() {
    await().atMost(WAIT).until(() -> {
      Optional<Integer> leader = leaderIndex();
      if (leader.isEmpty()) {
        return false;
      }
      long commit = status(leader.get()).path("commitIndex").asLong();
      return IntStream.range(0, cluster.size()).filter(cluster::isRunning).allMatch(i -> {
        JsonNode s = statusOrNull(i);
        return s != null && s.path("appliedIndex").asLong() >= commit;
      });
    });
  }

  /** Node {@code i}'s {@code GET /status}; fails unless it answers 200. */
  JsonNode status(int i) throws IOException, InterruptedException {
    HttpResponse<String> r = send(HttpRequest.newBuilder(cluster.httpUri(i).resolve("/status")).GET());
    assertThat(r.statusCode()).isEqualTo(200);
    return Json.parse(r.body());
  }

  /** Node {@code i}'s status, or null if it is not running or does not answer (yet). */
  JsonNode statusOrNull(int i) {
    try {
      return cluster.isRunning(i) ? status(i) : null;
    } catch (IOException | AssertionError e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  HttpResponse<String> post(URI server, String path, String body)
      throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(server.resolve(path))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  /** {@code GET path} at node {@code i}; fails unless it answers 200. */
  JsonNode get(int i, String path) throws IOException, InterruptedException {
    HttpResponse<String> r = send(HttpRequest.newBuilder(cluster.httpUri(i).resolve(path)).GET());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.parse(r.body());
  }

  HttpResponse<String> delete(URI server, String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(server.resolve(path)).DELETE());
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpRequest r = request.timeout(WAIT).build();
    try {
      return http.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (java.net.ConnectException e) {
      throw new IOException("nothing listens at " + r.uri() + "; " + describeNodes(), e);
    }
  }

  /** Which nodes run, and the end of each one's output: what a failed connection needs. */
  String describeNodes() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cluster.size(); i++) {
      b.append('\n').append(cluster.id(i)).append(cluster.isRunning(i) ? " running" : " not running");
      Path out = cluster.baseDir().resolve(cluster.id(i) + ".out");
      try {
        List<String> lines = Files.exists(out) ? Files.readAllLines(out) : List.of();
        lines.subList(Math.max(0, lines.size() - 15), lines.size())
            .forEach(l -> b.append("\n  | ").append(l));
      } catch (IOException unreadable) {
        b.append(" (output unreadable: ").append(unreadable.getMessage()).append(')');
      }
    }
    return b.toString();
  }
}
