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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's bonus (a node that was down catches up) under log compaction, with three real
 * processes of the example on 127.0.0.1: the nodes snapshot every {@value #SNAPSHOT_EVERY} entries
 * and keep {@value #TRAILING} behind each snapshot, so a follower that lost its data can only come
 * back by an InstallSnapshot from the leader.
 *
 * <p>What is checked on disk relies on the layout in docs/storage-format.md: snapshots are
 * directories {@code <index>-<term>} (20 digits each) under {@code DIR/raft/snapshots}, and log
 * segments are files {@code <first index>.seg} under {@code DIR/raft/log}. Segments are 64 MiB, so
 * in this test each node's log is one segment: a node that received its entries from index 1 keeps
 * {@code 00000000000000000001.seg}, and only a node whose log was reset to follow a snapshot from
 * the leader has a log starting later.
 *
 * <p>A wiped directory is indistinguishable from a new one, so the follower is given the cluster
 * id again when it comes back ({@link LocalCluster} gives every founding member {@code
 * --cluster-id} on every start) and records it anew.
 */
class LabCompactionEndToEndTest {
  private static final int SNAPSHOT_EVERY = 20;
  private static final int TRAILING = 5;
  /**
   * Bounds the background client however the test goes, well beyond what the test needs: its
   * waits for compaction and for values with all three up count on the client still running (with
   * 2,000 values a fast machine ran out before the follower was back, and the test timed out).
   */
  private static final int MAX_BACKGROUND_VALUES = 200_000;
  private static final Duration MAX_BACKGROUND_TIME = Duration.ofMinutes(3);
  private static final Pattern SNAPSHOT_DIR = Pattern.compile("(\\d{20})-(\\d{20})");
  private static final Pattern SEGMENT_FILE = Pattern.compile("(\\d{20})\\.seg");

  @TempDir Path dir;
  private LabHarness lab;
  private LocalCluster cluster;

  @BeforeEach
  void startCluster() throws IOException {
    lab = LabHarness.start(dir, List.of(
        "--snapshot-every", Integer.toString(SNAPSHOT_EVERY),
        "--snapshot-trailing", Integer.toString(TRAILING)));
    cluster = lab.cluster;
  }

  @AfterEach
  void stopCluster() throws InterruptedException {
    lab.close(); // only the processes this test started, through their Process handles
  }

  @Test
  void aWipedFollowerRejoinsFromTheLeadersSnapshotOverSeveralRoundsWhileAClientSubmits()
      throws Exception {
    int leader = lab.awaitLeader();
    lab.submitAll("a", 0, SNAPSHOT_EVERY + 10);
    lab.awaitCaughtUp();
    for (int i = 0; i < 3; i++) {
      int node = i;
      await().atMost(LabHarness.WAIT).until(() -> snapshotIndex(node) >= SNAPSHOT_EVERY);
    }

    // A follower crashes and loses its disk.
    int follower = (leader + 1) % 3;
    cluster.kill(follower); // kill -9, through its Process
    leader = lab.awaitLeader();
    // Nothing was submitted since everyone caught up: the follower had at most this.
    long followerLast = lab.status(leader).path("lastIndex").asLong();
    wipe(follower);
    assertThat(cluster.dataDir(follower)).doesNotExist();

    // The leader compacts its log past everything the follower ever had.
    lab.submitAll("b", 0, 2 * SNAPSHOT_EVERY + 5);
    int leaderNow = lab.awaitLeader();
    await().atMost(LabHarness.WAIT)
        .until(() -> snapshotIndex(leaderNow) - TRAILING > followerLast);
    assertThat(snapshotIndexOnDisk(leaderNow)).isGreaterThan(followerLast + TRAILING);
    assertThat(lab.lines(follower)).isEmpty();

    // Round 1: the follower comes back empty while a client keeps submitting, and is killed
    // again as soon as it reports the leader's state applied: while the client goes on, so
    // usually before it has the entries that followed the snapshot.
    CompletableFuture<Void> submitting = submitInBackground("c");
    // Whichever node leads when it comes back sends a snapshot at least this recent.
    long leaderSnapshotAtRestart = Math.min(snapshotIndexOnDisk((follower + 1) % 3),
        snapshotIndexOnDisk((follower + 2) % 3));
    assertThat(leaderSnapshotAtRestart).isGreaterThanOrEqualTo(SNAPSHOT_EVERY);
    cluster.start(follower);
    await().atMost(LabHarness.WAIT).until(() -> {
      JsonNode s = lab.statusOrNull(follower);
      return s != null && s.path("appliedIndex").asLong() > 0;
    });
    cluster.kill(follower);

    // It got there by a snapshot from the leader, not by entries from index 1.
    long installed = snapshotIndexOnDisk(follower);
    assertThat(installed).isGreaterThanOrEqualTo(leaderSnapshotAtRestart);
    List<Long> segments = segmentFirstIndexes(follower);
    assertThat(segments).as("log segments of %s", cluster.id(follower))
        .allSatisfy(first -> assertThat(first).isGreaterThan(leaderSnapshotAtRestart));
    // Its values.log, rewritten from the snapshot, is exactly a prefix of the committed values:
    // every value it had before the wipe, and more (the value in flight when it was killed may
    // not be acknowledged yet; wait for it before comparing).
    List<String> restored = lab.lines(follower);
    assertThat(restored).as("values.log restored from the snapshot")
        .contains("write a0", "write a" + (SNAPSHOT_EVERY + 9), "write b0");
    await().atMost(LabHarness.WAIT).until(() -> lab.acknowledged.size() >= restored.size());
    assertThat(restored).isEqualTo(lab.expectedLines().subList(0, restored.size()));

    // Round 2: while it is down again the leader compacts past its log once more; it restarts
    // from its own snapshot and log and catches up while the client goes on.
    leader = lab.awaitLeader();
    long lastAtSecondKill = lab.status(leader).path("lastIndex").asLong();
    int leaderRound2 = leader;
    await().atMost(LabHarness.WAIT)
        .until(() -> snapshotIndex(leaderRound2) - TRAILING > lastAtSecondKill);
    cluster.start(follower);
    long commitAtRestart = lab.status(lab.awaitLeader()).path("commitIndex").asLong();
    await().atMost(LabHarness.WAIT).until(() -> {
      JsonNode s = lab.statusOrNull(follower);
      return s != null && s.path("appliedIndex").asLong() >= commitAtRestart;
    });
    assertThat(lab.status(follower).path("clusterId").asText())
        .isEqualTo(cluster.clusterId().value());
    // One more round of values with all three up.
    int acknowledgedAtCatchUp = lab.acknowledged.size();
    await().atMost(LabHarness.WAIT)
        .until(() -> lab.acknowledged.size() >= acknowledgedAtCatchUp + 10);

    // The client stops; every node ends with the same values.log.
    lab.stopSubmitting(submitting);
    lab.submitAll("d", 0, 3);
    lab.awaitCaughtUp();
    lab.assertValuesLogsConsistent();
    assertThat(lab.lines(follower)).containsExactlyElementsOf(lab.expectedLines());
    assertThat(segmentFirstIndexes(follower)).isNotEmpty()
        .allSatisfy(first -> assertThat(first).isGreaterThan(1L));
    for (int i = 0; i < 3; i++) {
      assertThat(snapshotIndexOnDisk(i)).as("snapshot of %s", cluster.id(i))
          .isGreaterThan(lastAtSecondKill);
    }
  }

  // ------------------------------------------------------------------ helpers

  /** The background client of this test: values {@code prefix + k} until stopped. */
  private CompletableFuture<Void> submitInBackground(String prefix) {
    return lab.submitInBackground(lab.client, prefix, MAX_BACKGROUND_VALUES, MAX_BACKGROUND_TIME);
  }

  /** The node's latest snapshot index, as its {@code /status} reports it; -1 if it does not answer. */
  private long snapshotIndex(int i) {
    JsonNode s = lab.statusOrNull(i);
    return s == null ? -1 : s.path("snapshotIndex").asLong();
  }

  /** The greatest index of the published snapshots in the node's snapshot directory, or 0. */
  private long snapshotIndexOnDisk(int i) throws IOException {
    Path snapshots = cluster.dataDir(i).resolve("raft").resolve("snapshots");
    if (!Files.isDirectory(snapshots)) {
      return 0;
    }
    long latest = 0;
    try (Stream<Path> entries = Files.list(snapshots)) {
      for (Path p : entries.toList()) {
        Matcher m = SNAPSHOT_DIR.matcher(p.getFileName().toString());
        if (m.matches() && Files.isRegularFile(p.resolve("meta"))) {
          latest = Math.max(latest, Long.parseLong(m.group(1)));
        }
      }
    }
    return latest;
  }

  /** The first indexes of the node's log segments, in order. */
  private List<Long> segmentFirstIndexes(int i) throws IOException {
    Path log = cluster.dataDir(i).resolve("raft").resolve("log");
    if (!Files.isDirectory(log)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(log)) {
      return entries.map(p -> SEGMENT_FILE.matcher(p.getFileName().toString()))
          .filter(Matcher::matches)
          .map(m -> Long.parseLong(m.group(1)))
          .sorted()
          .toList();
    }
  }

  /** Removes the node's data directory; the node must be down. */
  private void wipe(int i) throws IOException {
    assertThat(cluster.isRunning(i)).isFalse();
    try (Stream<Path> paths = Files.walk(cluster.dataDir(i))) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
