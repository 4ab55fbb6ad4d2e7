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
import static org.awaitility.Awaitility.await;

import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftNodeBuilder;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.SessionRequest;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.internal.core.Commands;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.sim.InProcessNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The {@code fixtures/node-data} data directory: what a real single-node cluster (the driver and
 * core over {@link FileLogStore} and {@link FileSnapshotStore}, with a {@link ListStateMachine})
 * writes for a fixed script. It has a few small segments, meta, identity, and a snapshot whose data
 * holds client sessions of each result kind.
 *
 * <p>The script: 12 commands (indexes 2-13, after the leader's no-op), four session commands
 * (14: client 7 seq 1; 15: client 7 seq 2, refused; 16: client 9 seq 1; 17: client 11 seq 1,
 * refused), a snapshot at 17 (the log compacted up to 13, keeping 4 entries), then 8 commands and
 * a session command (18-26: client 7 seq 3). Only the identity's directory id and the sync
 * watermarks of the records differ from one run to the next; the entries and the snapshot files
 * are the same every time.
 */
final class NodeDataFixture {
  static final String DIR = "node-data";
  static final NodeId ID = NodeId.of("n1");
  static final ClusterId CLUSTER = ClusterId.of("node-data-fixture");
  static final FileLogStoreOptions OPTIONS =
      FileLogStoreOptions.DEFAULTS.withSegmentSizeBytes(1024).withPreallocateBytes(0);
  static final SnapshotOptions SNAPSHOTS = new SnapshotOptions(1_000_000, 4, 4096, Long.MAX_VALUE);
  static final long SNAPSHOT_INDEX = 17;
  static final long LAST_INDEX = 26;
  private static final Duration WAIT = Duration.ofSeconds(10);

  private NodeDataFixture() {}

  /** A plain command of the script, about 100 bytes so that segments fill after a few. */
  static String command(int i) {
    return String.format("put k%02d=", i) + "v".repeat(92);
  }

  /** The session commands of the script: client, sequence, command, and its log index. */
  record Session(long client, long sequence, String command, long index) {}

  static final List<Session> SESSIONS = List.of(
      new Session(7, 1, "put s=1", 14), new Session(7, 2, "fail once", 15),
      new Session(9, 1, "put t=1", 16), new Session(11, 1, "fail always", 17),
      new Session(7, 3, "put s=3", 26));

  /** The entries the script leaves in the log, from index 1 (before compaction), all of term 1. */
  static List<LogEntry> entries() {
    List<LogEntry> out = new ArrayList<>();
    out.add(LogEntry.noop(1, 1));
    for (int i = 1; i <= 12; i++) {
      out.add(LogEntry.command(1 + i, 1, command(i).getBytes(UTF_8)));
    }
    for (Session s : SESSIONS.subList(0, 4)) {
      out.add(session(s));
    }
    for (int i = 13; i <= 20; i++) {
      out.add(LogEntry.command(5 + i, 1, command(i).getBytes(UTF_8)));
    }
    out.add(session(SESSIONS.get(4)));
    return out;
  }

  private static LogEntry session(Session s) {
    return new LogEntry(s.index(), 1, EntryType.SESSION_COMMAND,
        Commands.session(s.client(), s.sequence(), s.command().getBytes(UTF_8)));
  }

  /** The node over a data directory; founding the cluster if the directory is new. */
  static RaftNode node(Path dir, boolean found) {
    RaftNodeBuilder b = RaftNode.builder().id(ID).stateMachine(new ListStateMachine())
        .transport(new InProcessNetwork().transport(ID))
        .logStore(new FileLogStore(dir, OPTIONS))
        .snapshots(new FileSnapshotStore(dir.resolve("snapshots")), SNAPSHOTS);
    if (found) {
      b.clusterId(CLUSTER).members(List.of(ID));
    }
    return b.build();
  }

  static void awaitLeading(RaftNode node) {
    await().atMost(WAIT).until(() -> node.status(), RaftStatus::isLeader);
  }

  /** Runs the script on a new node over {@code dir}, then stops it and removes its lock file. */
  static void write(Path dir) throws Exception {
    RaftNode node = node(dir, true);
    node.start();
    try {
      awaitLeading(node);
      for (int i = 1; i <= 12; i++) {
        submit(node, command(i));
      }
      SESSIONS.subList(0, 4).forEach(s -> submit(node, s));
      long snapshot = node.takeSnapshot().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      if (snapshot != SNAPSHOT_INDEX) {
        throw new IllegalStateException("snapshot at " + snapshot + ", not " + SNAPSHOT_INDEX);
      }
      for (int i = 13; i <= 20; i++) {
        submit(node, command(i));
      }
      submit(node, SESSIONS.get(4));
    } finally {
      node.close();
    }
    Files.deleteIfExists(dir.resolve(FileLogStore.LOCK_FILE));
  }

  private static void submit(RaftNode node, String command) throws Exception {
    node.submit(command.getBytes(UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static void submit(RaftNode node, Session s) {
    try {
      node.submit(s.command().getBytes(UTF_8), new SessionRequest(s.client(), s.sequence()))
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!s.command().startsWith("fail")) {
        throw new IllegalStateException(s + " failed", e);
      }
    } catch (Exception e) {
      throw new IllegalStateException(s + " failed", e);
    }
  }

  /** Deletes a directory tree. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
