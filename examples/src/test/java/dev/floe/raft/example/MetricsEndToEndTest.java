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

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of three real example processes on 127.0.0.1, scraped over HTTP as
 * Prometheus would after writes, a leadership transfer and a lost follower: every page parses as
 * Prometheus text ({@link PrometheusScrape}) and carries the figures issue 18 asks for, with the
 * values the cluster's history implies.
 */
class MetricsEndToEndTest {
  private static final int WRITES = 20;

  @TempDir Path dir;
  private LabHarness lab;
  private LocalCluster cluster;

  @BeforeEach
  void startCluster() throws IOException {
    lab = LabHarness.start(dir, List.of());
    cluster = lab.cluster;
  }

  @AfterEach
  void stopCluster() {
    lab.close(); // only the processes this test started, through their Process handles
  }

  private PrometheusScrape scrape(int i) throws IOException, InterruptedException {
    HttpResponse<String> r = lab.send(HttpRequest.newBuilder(cluster.httpUri(i).resolve("/metrics"))
        .GET());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    return PrometheusScrape.parse(r.body());
  }

  @Test
  void aScrapeCarriesLatenciesForcesLagElectionsRequestsAndDrops() throws Exception {
    // The figures of writes are on the node that took them, whatever happens to its leadership.
    int leader = lab.awaitLeader();
    String l = cluster.id(leader);
    URI server = cluster.httpUri(leader);
    for (int i = 0; i < WRITES; i++) {
      HttpResponse<String> r = lab.post(server, "/values", "m" + i);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    lab.awaitCaughtUp();

    PrometheusScrape page = scrape(leader);
    // Submit to commit, on the node that took the writes.
    assertThat(page.types).containsEntry("floe_submit_commit_latency_seconds", "summary");
    assertThat(page.value("floe_submit_commit_latency_seconds_count", "node", l))
        .isGreaterThanOrEqualTo(WRITES);
    assertThat(page.value("floe_submit_commit_latency_seconds_sum", "node", l)).isPositive();
    assertThat(page.value("floe_submit_commit_latency_seconds", "node", l, "quantile", "0.99"))
        .isPositive();
    assertThat(page.value("floe_commit_apply_latency_seconds_count", "node", l)).isPositive();
    // Forces of the log (fsync), and entries per force: together they cover every write.
    double forces = page.value("floe_log_forces_total", "node", l);
    assertThat(forces).isPositive();
    assertThat(page.value("floe_log_force_latency_seconds_count", "node", l)).isEqualTo(forces);
    assertThat(page.value("floe_log_force_latency_seconds_max", "node", l)).isPositive();
    assertThat(page.value("floe_log_force_entries_count", "node", l)).isEqualTo(forces);
    assertThat(page.value("floe_log_force_entries_sum", "node", l)).isGreaterThanOrEqualTo(WRITES);
    assertThat(page.find("floe_log_force_latency_seconds", "node", l, "quantile", "0.99"))
        .hasSize(1);
    // Requests by outcome.
    assertThat(page.value("floe_requests_total", "node", l, "kind", "submit", "outcome", "ok"))
        .isGreaterThanOrEqualTo(WRITES);
    assertThat(page.find("floe_requests_total", "node", l, "kind", "submit"))
        .extracting(s -> s.labels().get("outcome"))
        .contains("ok", "not_leader", "overloaded", "commit_unknown", "timeout");
    assertThat(page.value("floe_commit_index", "node", l)).isGreaterThanOrEqualTo(WRITES);
    assertThat(page.find("floe_requests_pending", "node", l)).hasSize(1);
    assertThat(page.types).containsEntry("floe_leader_changes_total", "counter")
        .containsEntry("floe_transport_dropped_total", "counter");
    // On whichever node leads now (a loaded machine may have held an election since): its
    // state, and per follower the lag in entries and in time and the transport's queue.
    await().atMost(LabHarness.WAIT).untilAsserted(() -> assertLeaderPage(lab.awaitLeader()));
    // Elections: at most one won per term, in the whole cluster.
    double won = 0;
    double term = 0;
    for (int i = 0; i < cluster.size(); i++) {
      PrometheusScrape p = scrape(i);
      won += p.value("floe_elections_won_total", "node", cluster.id(i));
      term = Math.max(term, p.value("floe_term", "node", cluster.id(i)));
    }
    assertThat(won).isBetween(1.0, term);

    // A transfer: a campaign the target starts and wins.
    int from = lab.awaitLeader();
    int target = (from + 1) % cluster.size();
    String t = cluster.id(target);
    HttpResponse<String> moved = lab.post(cluster.httpUri(from), "/leadership?to=" + t, "");
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    PrometheusScrape after = scrape(target);
    assertThat(after.value("floe_elections_won_total", "node", t)).isGreaterThanOrEqualTo(1);
    assertThat(after.value("floe_elections_campaigns_total", "node", t)).isGreaterThanOrEqualTo(1);

    // A follower lost for good: the leader drops what it cannot send it, and it lags.
    int lost = (target + 1) % cluster.size();
    cluster.kill(lost);
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = lab.post(cluster.httpUri(target), "/values", "after" + i);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    String gone = cluster.id(lost);
    await().atMost(LabHarness.WAIT).untilAsserted(() -> {
      int now = lab.awaitLeader();
      String n = cluster.id(now);
      PrometheusScrape p = scrape(now);
      assertThat(p.value("floe_transport_dropped_total", "node", n, "reason", "unreachable"))
          .isPositive();
      assertThat(p.value("floe_replication_lag_entries", "node", n, "peer", gone))
          .isGreaterThanOrEqualTo(5);
    });
    assertThat(lab.post(cluster.httpUri(target), "/metrics", "").statusCode())
        .as("only GET").isEqualTo(405);
  }

  /** Node {@code leader}'s page shows it leading, caught up, and every follower's figures. */
  private void assertLeaderPage(int leader) throws IOException, InterruptedException {
    String l = cluster.id(leader);
    PrometheusScrape page = scrape(leader);
    assertThat(page.value("floe_role", "node", l)).isEqualTo(2);
    assertThat(page.value("floe_leader", "node", l)).isEqualTo(1);
    assertThat(page.value("floe_apply_backlog", "node", l)).isZero();
    for (int f = 0; f < cluster.size(); f++) {
      if (f != leader) {
        String peer = cluster.id(f);
        assertThat(page.value("floe_replication_lag_entries", "node", l, "peer", peer)).isZero();
        assertThat(page.value("floe_replication_silence_seconds", "node", l, "peer", peer))
            .isBetween(0.0, 10.0);
        assertThat(page.value("floe_transport_queued_bytes", "node", l, "peer", peer))
            .isNotNegative();
      }
    }
  }
}
