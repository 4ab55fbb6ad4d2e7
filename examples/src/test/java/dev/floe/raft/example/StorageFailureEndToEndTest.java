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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A node whose disk fills up, as three real processes of the example on 127.0.0.1. Its process is
 * started by a shell that limits the size of the files it may write ({@code ulimit -f}): once its
 * log segment would grow past it, every write fails with "File too large" (the JVM ignores the
 * signal a write past the limit raises), as on a full disk. The node stops taking part and says so
 * everywhere a user looks, and the two others go on.
 */
class StorageFailureEndToEndTest {
  /** The largest file n1 may write: its log segment reaches it after about 1 MiB of entries. */
  private static final long FILE_SIZE_LIMIT_BYTES = 2L << 20;
  private static final int VALUE_BYTES = 60 * 1024;
  /** About 12 MiB: far more than n1 can store, so the loop ends by n1 stopping. */
  private static final int MAX_VALUES = 200;

  @TempDir Path dir;
  private LabHarness lab;

  @AfterEach
  void stopCluster() {
    lab.close(); // only the processes this test started, through their Process handles
  }

  @Test
  void aNodeWhoseDiskIsFullReportsStoppedWithTheFailureAndRefusesWritesNamingIt()
      throws Exception {
    lab = LabHarness.create(dir, List.of());
    LocalCluster cluster = lab.cluster;
    // POSIX sh counts ulimit -f in blocks of 512 bytes.
    cluster.start(0, List.of("/bin/sh", "-c",
        "ulimit -f " + FILE_SIZE_LIMIT_BYTES / 512 + " && exec \"$@\"", "sh"));
    cluster.start(1);
    cluster.start(2);
    lab.awaitLeader();

    for (int k = 0; k < MAX_VALUES && !stopped(lab.statusOrNull(0)); k++) {
      lab.submit(bigValue(k));
    }
    await().atMost(LabHarness.WAIT).until(() -> stopped(lab.statusOrNull(0)));

    // GET /status: the role, and why.
    JsonNode status = lab.status(0);
    String failure = status.path("failure").asText();
    assertThat(failure).contains("File too large");
    assertThat(status.path("clusterId").asText()).isEqualTo(cluster.clusterId().value());
    assertThat(lab.status(1).path("failure").isNull()).isTrue();
    assertThat(cluster.isRunning(0)).as("a stopped node keeps its process, to say why").isTrue();

    // Writes and reads that need the node: a 503 naming the failure.
    HttpResponse<String> write = lab.post(cluster.httpUri(0), "/values", "more");
    assertThat(write.statusCode()).as(write.body()).isEqualTo(503);
    assertThat(Json.parse(write.body()).path("error").asText())
        .contains("node n1 has stopped taking part in the cluster: " + failure);
    HttpResponse<String> put = lab.send(HttpRequest.newBuilder(cluster.httpUri(0).resolve("/kv/k"))
        .PUT(HttpRequest.BodyPublishers.ofString("v", StandardCharsets.UTF_8)));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(503);
    assertThat(put.body()).contains(failure);

    // The status command prints it.
    StringWriter out = new StringWriter();
    int exit = new CommandLine(new Main()).setOut(new PrintWriter(out, true))
        .execute("status", "--servers", cluster.httpUri(0) + "," + cluster.httpUri(1));
    assertThat(exit).isZero();
    assertThat(out.toString().lines().filter(l -> l.startsWith("n1 "))).singleElement()
        .satisfies(line -> assertThat(line).contains(" stopped ").endsWith("stopped: " + failure));

    // The two others commit on; their values.log hold every acknowledged value once, in order.
    lab.submitAll("after", 0, 3);
    await().atMost(LabHarness.WAIT).until(() ->
        lab.lines(1).equals(lab.expectedLines()) && lab.lines(2).equals(lab.expectedLines()));
  }

  private static boolean stopped(JsonNode status) {
    return status != null && status.path("role").asText().equals("stopped");
  }

  /** A value of {@value #VALUE_BYTES} bytes that says which it is. */
  private static String bigValue(int k) {
    String head = "big" + k + "-";
    return head + "x".repeat(VALUE_BYTES - head.length());
  }
}
