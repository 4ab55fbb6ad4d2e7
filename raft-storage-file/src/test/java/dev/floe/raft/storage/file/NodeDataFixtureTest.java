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
package dev.floe.raft.storage.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.FloeException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SessionRequest;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.TermAndVote;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code fixtures/node-data} directory, which a real node wrote ({@link NodeDataFixture}):
 * the stores open it, its snapshot data is laid out as raft-core writes it, a node started on it
 * recovers its state machine and its client sessions, and a node that runs the same script today
 * writes the same entries and the same snapshot files (the check on the snapshot taker's writer
 * and the session table inside it). {@code -Dfloe.fixtures.rewrite=true} writes it again.
 */
class NodeDataFixtureTest {
  private static final Path FIXTURE = FormatFixtures.DIRECTORY.resolve(NodeDataFixture.DIR);
  private static final String SNAPSHOT_DIR = "snapshots/" + SnapshotFormat.directoryName(17, 1);
  @TempDir Path temp;

  @BeforeAll
  static void regenerateIfAsked() throws Exception {
    if (FormatFixtures.rewriting()) {
      NodeDataFixture.deleteTree(FIXTURE);
      NodeDataFixture.write(FIXTURE);
    }
  }

  private Path copy() throws IOException {
    Path dir = temp.resolve("copy");
    TestLogs.copyDirectory(FIXTURE, dir);
    return dir;
  }

  @Test
  void theStoresOpenWhatTheNodeWrote() throws Exception {
    Path dir = copy();
    FileLogStore log = new FileLogStore(dir, NodeDataFixture.OPTIONS);
    log.open();
    try {
      assertThat(log.identity().orElseThrow().clusterId()).isEqualTo(NodeDataFixture.CLUSTER);
      assertThat(log.identity().orElseThrow().nodeId()).isEqualTo(NodeDataFixture.ID);
      assertThat(log.identity().orElseThrow().bootstrap())
          .isEqualTo(Configuration.ofVoters(List.of(NodeDataFixture.ID)));
      assertThat(log.termAndVote()).isEqualTo(new TermAndVote(1, NodeDataFixture.ID));
      assertThat(log.lastIndex()).isEqualTo(NodeDataFixture.LAST_INDEX);
      assertThat(log.firstIndex()).as("compacted up to 13, by whole segments: from the segment "
          + "that holds 13").isEqualTo(9);
      assertThat(log.entries(log.firstIndex(), log.lastIndex() + 1, Long.MAX_VALUE))
          .isEqualTo(expectedFrom(log.firstIndex()));
    } finally {
      log.close();
    }
    FileSnapshotStore snapshots = new FileSnapshotStore(dir.resolve("snapshots"));
    SnapshotMeta latest = snapshots.open().orElseThrow();
    snapshots.close();
    assertThat(latest.index()).isEqualTo(NodeDataFixture.SNAPSHOT_INDEX);
    assertThat(latest.term()).isEqualTo(1);
    assertThat(Configuration.decode(latest.configuration()).voters())
        .containsExactly(NodeDataFixture.ID);
  }

  private static List<LogEntry> expectedFrom(long first) {
    return NodeDataFixture.entries().stream().filter(e -> e.index() >= first).toList();
  }

  /** Several segments, each of this directory: meta, identity and headers share its id. */
  @Test
  void everyFileRecordsTheDirectorysId() throws IOException {
    long id = IdentityFile.read(StorageIo.REAL, FIXTURE).orElseThrow().directoryId();
    MetaFile.Meta meta = MetaFile.read(StorageIo.REAL, FIXTURE).orElseThrow();
    List<Path> segments;
    try (var files = Files.list(FIXTURE.resolve("log"))) {
      segments = files.sorted().toList();
    }

    assertThat(meta.directoryId()).isEqualTo(id);
    assertThat(segments).hasSize(3);
    for (Path segment : segments) {
      ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(segment));
      assertThat(header.getLong(SegmentFormat.DIRECTORY_ID_OFFSET)).as("%s", segment)
          .isEqualTo(id);
      assertThat(header.getLong(SegmentFormat.FIRST_INDEX_OFFSET))
          .isEqualTo(SegmentFormat.parseFileName(segment.getFileName().toString()));
    }
    assertThat(meta.firstIndex())
        .isEqualTo(SegmentFormat.parseFileName(segments.get(0).getFileName().toString()));
  }

  /**
   * The snapshot data as raft-core's snapshot taker writes it: magic "FLSN" (int32), version 1
   * (int32), the session table (an int32 count, then per client in id order: client, sequence,
   * index, term as int64, a result kind byte, then for a value an int32 length and its bytes,
   * for a failure its message in modified UTF-8), then the state machine's image.
   */
  @Test
  void theSnapshotDataHoldsTheSessionsThenTheStateMachinesImage() throws IOException {
    byte[] data = Files.readAllBytes(FIXTURE.resolve(SNAPSHOT_DIR).resolve("data"));
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));

    assertThat(in.readInt()).as("magic FLSN").isEqualTo(0x464C534E);
    assertThat(in.readInt()).as("version").isEqualTo(1);
    assertThat(in.readInt()).as("clients").isEqualTo(3);
    assertThat(new long[] {in.readLong(), in.readLong(), in.readLong(), in.readLong()})
        .containsExactly(7, 2, 15, 1);
    assertThat(in.readByte()).as("a failure").isEqualTo((byte) 2);
    assertThat(in.readUTF()).isEqualTo("refused: fail once");
    assertThat(new long[] {in.readLong(), in.readLong(), in.readLong(), in.readLong()})
        .containsExactly(9, 1, 16, 1);
    assertThat(in.readByte()).as("a value").isEqualTo((byte) 1);
    byte[] value = new byte[in.readInt()];
    in.readFully(value);
    assertThat(new String(value, UTF_8)).isEqualTo("#14");
    assertThat(new long[] {in.readLong(), in.readLong(), in.readLong(), in.readLong()})
        .containsExactly(11, 1, 17, 1);
    assertThat(in.readByte()).isEqualTo((byte) 2);
    assertThat(in.readUTF()).isEqualTo("refused: fail always");
    assertThat(in.readInt()).as("the image: commands applied").isEqualTo(14);
    List<String> image = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      image.add(in.readUTF());
    }
    assertThat(image).containsExactlyElementsOf(appliedThrough(17));
    assertThat(in.available()).isZero();
  }

  /** The commands the state machine holds once it applied the script up to {@code index}. */
  private static List<String> appliedThrough(long index) {
    List<String> out = new ArrayList<>();
    for (LogEntry e : NodeDataFixture.entries()) {
      String text = e.isCommand() ? new String(e.command(), UTF_8) : "";
      if (e.index() <= index && e.isCommand() && !text.startsWith("fail")) {
        out.add(text);
      }
    }
    return out;
  }

  @Test
  void aNodeStartedOnTheDirectoryRecoversItsStateMachineAndItsSessions() throws Exception {
    RaftNode node = NodeDataFixture.node(copy(), false);
    node.start();
    try {
      NodeDataFixture.awaitLeading(node);
      assertThat(query(node)).containsExactlyElementsOf(appliedThrough(26));

      // Retries of commands the snapshot's session table holds are answered as the first time.
      SubmitResult retried = node.submit("put t=1".getBytes(UTF_8), new SessionRequest(9, 1))
          .get(10, TimeUnit.SECONDS);
      assertThat(retried.index()).isEqualTo(16);
      assertThat(new String(retried.result(), UTF_8)).isEqualTo("#14");
      assertThatThrownBy(() -> node.submit("fail always".getBytes(UTF_8),
          new SessionRequest(11, 1)).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause()
          .isInstanceOf(FloeException.class).hasMessage("refused: fail always");
      assertThat(query(node)).as("nothing applied twice").containsExactlyElementsOf(
          appliedThrough(26));
    } finally {
      node.close();
    }
  }

  private static List<String> query(RaftNode node) throws Exception {
    String text = new String(node.query(new byte[0], ReadConsistency.LOCAL)
        .get(10, TimeUnit.SECONDS), UTF_8);
    return List.of(text.split("\n"));
  }

  /** The writer's check: a fresh run's snapshot files equal the checked-in ones, byte for byte. */
  @Test
  void aNodeRunningTheSameScriptTodayWritesTheSameEntriesAndSnapshot() throws Exception {
    Path fresh = temp.resolve("fresh");
    NodeDataFixture.write(fresh);

    for (String file : List.of("meta", "data")) {
      byte[] fixture = Files.readAllBytes(FIXTURE.resolve(SNAPSHOT_DIR).resolve(file));
      byte[] today = Files.readAllBytes(fresh.resolve(SNAPSHOT_DIR).resolve(file));
      assertThat(today).as("%s/%s: today's node writes other bytes (%s). A format change must "
          + "never be silent: bump the snapshot data's version (SnapshotTaker.VERSION) or "
          + "SnapshotFormat.VERSION, then write the fixtures again with "
          + "-Dfloe.fixtures.rewrite=true", SNAPSHOT_DIR, file,
          FormatFixtures.firstDifference(fixture, today)).isEqualTo(fixture);
    }
    FileLogStore log = new FileLogStore(fresh, NodeDataFixture.OPTIONS);
    log.open();
    try {
      assertThat(log.entries(log.firstIndex(), log.lastIndex() + 1, Long.MAX_VALUE))
          .isEqualTo(expectedFrom(log.firstIndex()));
    } finally {
      log.close();
    }
  }

}
