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

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data directories in the wrong place, with real processes of the example on 127.0.0.1: two
 * clusters on one machine whose nodes have the same names, a directory copied to another node of
 * the same cluster, a corrupt log. Each time the node refuses to start, exits with status 1 and a
 * line naming the problem, and leaves its values.log exactly as it was; the rest of its cluster goes
 * on, and no foreign entry ever reaches it.
 *
 * <p>These are the reproductions: "a node started on the directory of the same-named node
 * of another cluster joins (20 foreign entries stay committed)", and "a node started on a copy of
 * another node's directory starts silently".
 */
class ForeignDataDirectoryEndToEndTest {
  private static final int N1 = 0;
  private static final int N2 = 1;

  @TempDir Path dir;
  private LabHarness a;
  private LabHarness b;

  @BeforeEach
  void startClusterA() throws IOException {
    a = LabHarness.start(dir.resolve("a"), List.of());
  }

  @AfterEach
  void stopClusters() {
    a.close(); // only the processes these harnesses started, through their Process handles
    if (b != null) {
      b.close();
    }
  }

  @Test
  void aNodeStartedOnTheSameNamedNodesDirectoryOfAnotherClusterRefusesNamingBothClusterIds()
      throws Exception {
    b = LabHarness.start(dir.resolve("b"), List.of());
    a.submitAll("a", 0, 5);
    b.submitAll("b", 0, 20);
    a.awaitCaughtUp();
    b.awaitCaughtUp();
    assertThat(a.cluster.clusterId()).isNotEqualTo(b.cluster.clusterId());

    a.cluster.stop(N1);
    b.cluster.stop(N1);
    byte[] valuesLog = Files.readAllBytes(a.cluster.valuesLog(N1));
    replaceRaftDirectory(a.cluster.dataDir(N1), b.cluster.dataDir(N1));
    a.cluster.start(N1);

    assertRefusedToStart(a.cluster, N1, "records cluster id " + b.cluster.clusterId()
        + ", but this node was started with " + a.cluster.clusterId());
    assertThat(Files.readAllBytes(a.cluster.valuesLog(N1))).isEqualTo(valuesLog);
    assertNoRebuildLeft(a.cluster, N1);
    // Cluster A goes on with its two other nodes, and none of B's values reached it.
    a.submitAll("a", 5, 8);
    assertEveryValueOnceAndNoForeignOne(List.of(N2, 2));
  }

  @Test
  void aNodeStartedOnACopyOfAnotherNodesDirectoryOfItsClusterRefusesNamingBothNodeIds()
      throws Exception {
    a.submitAll("a", 0, 5);
    a.awaitCaughtUp();

    a.cluster.stop(N1);
    a.cluster.stop(N2);
    byte[] valuesLog = Files.readAllBytes(a.cluster.valuesLog(N1));
    replaceRaftDirectory(a.cluster.dataDir(N1), a.cluster.dataDir(N2));
    a.cluster.start(N1);

    assertRefusedToStart(a.cluster, N1, "records node id n2, but this node was started with n1");
    assertThat(Files.readAllBytes(a.cluster.valuesLog(N1))).isEqualTo(valuesLog);
    assertNoRebuildLeft(a.cluster, N1);
    // n2, on its own directory, comes back; the cluster goes on.
    a.cluster.start(N2);
    a.submitAll("a", 5, 8);
    assertEveryValueOnceAndNoForeignOne(List.of(N2, 2));
  }

  @Test
  void aNodeWhoseLogIsCorruptRefusesNamingTheFileAndKeepsItsValuesLog() throws Exception {
    a.submitAll("a", 0, 10);
    a.awaitCaughtUp();
    a.cluster.stop(N1);
    byte[] valuesLog = Files.readAllBytes(a.cluster.valuesLog(N1));
    assertThat(valuesLog).isNotEmpty();
    Path segment = a.cluster.dataDir(N1).resolve("raft").resolve("log")
        .resolve("00000000000000000001.seg");
    // The term of the first record (after the 32-byte segment header and the record's length and
    // CRC, docs/storage-format.md): its CRC no longer checks out, and records follow it.
    flipByte(segment, 32 + 4 + 4 + 7);
    a.cluster.start(N1);

    assertRefusedToStart(a.cluster, N1, segment.getFileName().toString());
    assertThat(Files.readAllBytes(a.cluster.valuesLog(N1))).isEqualTo(valuesLog);
    assertNoRebuildLeft(a.cluster, N1);
  }

  // ------------------------------------------------------------------ helpers

  /** The node's process exits with status 1, having said why in one line naming {@code problem}. */
  private static void assertRefusedToStart(LocalCluster cluster, int i, String problem)
      throws Exception {
    assertThat(cluster.awaitExit(i, LabHarness.WAIT)).isEqualTo(NodeCommand.CANNOT_START);
    List<String> said = Files.readAllLines(cluster.output(i)).stream()
        .filter(line -> line.startsWith(cluster.id(i) + " cannot start: "))
        .toList();
    assertThat(said).singleElement().asString().contains(problem);
  }

  private static void assertNoRebuildLeft(LocalCluster cluster, int i) {
    Path values = cluster.valuesLog(i);
    assertThat(values.resolveSibling(values.getFileName() + ValuesStateMachine.REBUILDING_SUFFIX))
        .doesNotExist();
  }

  /** These nodes of A hold every value A acknowledged, once, and nothing written to B. */
  private void assertEveryValueOnceAndNoForeignOne(List<Integer> nodes) throws IOException {
    a.assertValuesLogsConsistent(nodes);
    for (int i : nodes) {
      assertThat(a.lines(i)).as(a.cluster.id(i)).noneMatch(line -> line.startsWith("write b"));
    }
  }

  /** Replaces {@code target/raft} with a copy of {@code source/raft}; both nodes must be down. */
  private static void replaceRaftDirectory(Path target, Path source) throws IOException {
    Path raft = target.resolve("raft");
    try (Stream<Path> paths = Files.walk(raft)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Path from = source.resolve("raft");
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.sorted().toList()) {
        Files.copy(p, raft.resolve(from.relativize(p).toString()));
      }
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0xff);
    }
  }
}
