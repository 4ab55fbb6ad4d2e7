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
package dev.floe.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.Backup;
import dev.floe.raft.RaftNode;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Backup#write} on a running cluster under writes, and {@link
 * dev.floe.raft.RaftNodeBuilder#restoreFrom} founding a new cluster from the file, on real files
 * and sockets; damaged files and stores that hold state are refused without a write.
 */
@ExtendWith(LeakCheck.class)
class BackupRestoreOverNettyTest {
  private static final List<NodeId> IDS =
      List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private static final NodeId R1 = NodeId.of("r1");
  private static final List<NodeId> RESTORED =
      List.of(R1, NodeId.of("r2"), NodeId.of("r3"));

  @TempDir Path dir;
  private FileNodes old;
  private FileNodes restored;

  @AfterEach
  void stop() {
    for (FileNodes c : new FileNodes[] {restored, old}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /** A running three-node cluster with {@code n} values written. */
  private FileNodes oldCluster(int n) throws Exception {
    old = new FileNodes(dir.resolve("old"), ClusterId.random());
    old.found(IDS);
    old.write("v", n);
    return old;
  }

  /** A fresh cluster id and directory, with free ports for r1..r3. */
  private FileNodes newCluster() throws IOException {
    restored = new FileNodes(dir.resolve("new"), ClusterId.random());
    restored.addresses.putAll(FreePorts.on127(RESTORED));
    return restored;
  }

  /** Writes through the leader from another thread until stopped, recording what was acknowledged. */
  private static CompletableFuture<Void> writeUntil(FileNodes c, AtomicBoolean stop,
      Set<String> acknowledged) {
    return CompletableFuture.runAsync(() -> {
      for (int i = 0; i < 5_000 && !stop.get(); i++) {
        c.write("load-" + i);
        acknowledged.add("load-" + i);
      }
    });
  }

  @Test
  void aBackupUnderWritesHoldsEveryAcknowledgedWriteAndFoundsAClusterThatGrowsToThree()
      throws Exception {
    oldCluster(20);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicBoolean stopWriting = new AtomicBoolean();
    CompletableFuture<Void> load = writeUntil(old, stopWriting, acknowledged);
    await().atMost(FileNodes.WAIT).until(() -> acknowledged.size() >= 50);
    // From a follower: the backup must still hold what the leader acknowledged before the call.
    NodeId leader = old.awaitLeader();
    NodeId follower = IDS.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    List<String> acknowledgedBefore = List.copyOf(acknowledged);
    Path file = dir.resolve("cluster.backup");

    Backup.Info info = Backup.write(old.nodes.get(follower), file);

    stopWriting.set(true);
    load.get(60, TimeUnit.SECONDS);
    assertThat(Backup.verify(file)).isEqualTo(info);
    // The old cluster's state at the backup's index, as every node applied it.
    await().atMost(FileNodes.WAIT)
        .until(() -> old.nodes.get(leader).status().appliedIndex() >= info.index());
    List<FileNodes.Value> atBackup = old.values.get(leader).applied.stream()
        .filter(v -> v.index() <= info.index()).toList();
    assertThat(atBackup.stream().map(FileNodes.Value::value)).containsAll(acknowledgedBefore);

    newCluster();
    RaftNode r1 = restored.start(R1, b -> b.members(List.of(R1)).restoreFrom(file));
    assertThat(restored.awaitLeader()).isEqualTo(R1);
    assertThat(restored.values.get(R1).applied).containsExactlyElementsOf(atBackup);
    assertThat(r1.configuration()).isEqualTo(Configuration.ofVoters(List.of(R1)));
    assertThat(r1.status().snapshotIndex()).isEqualTo(info.index());
    List<String> expected = new ArrayList<>(atBackup.stream().map(FileNodes.Value::value).toList());
    assertThat(restored.write("restored-0").index()).isGreaterThan(info.index());
    expected.add("restored-0");

    for (NodeId id : RESTORED.subList(1, 3)) {
      restored.start(id, b -> b.join());
      r1.addVoter(id, restored.address(id)).get(30, TimeUnit.SECONDS);
    }
    expected.addAll(restored.write("grown", 5));

    assertThat(r1.configuration().voters()).containsExactlyElementsOf(RESTORED);
    for (NodeId id : RESTORED) {
      await().atMost(FileNodes.WAIT).untilAsserted(() -> assertThat(
          restored.values.get(id).strings()).containsExactlyElementsOf(expected));
    }
  }

  /** A good backup of a small cluster, whose nodes are then stopped. */
  private Path backup() throws Exception {
    oldCluster(10);
    Path file = dir.resolve("cluster.backup");
    Backup.write(old.nodes.get(old.awaitLeader()), file);
    old.close();
    return file;
  }

  /** Starting r1 from {@code file} fails naming the file, and leaves no data directory. */
  private void assertRefusedLeavingNothing(Path file, String problem) throws Exception {
    newCluster();
    assertThatThrownBy(() -> restored.start(R1, b -> b.members(List.of(R1)).restoreFrom(file)))
        .isInstanceOf(IOException.class).hasMessageContaining(file.toString())
        .hasMessageContaining(problem);
    assertThat(Files.exists(restored.raftDir(R1))).isFalse();
  }

  @Test
  void aBackupWithAFlippedByteIsRefusedAndNothingIsWritten() throws Exception {
    Path file = backup();
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long middle = f.length() / 2;
      f.seek(middle);
      int b = f.read();
      f.seek(middle);
      f.write(b ^ 0x10);
    }
    assertRefusedLeavingNothing(file, "checksum does not match");
  }

  @Test
  void aTruncatedBackupIsRefusedAndNothingIsWritten() throws Exception {
    Path file = backup();
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(f.length() - 7);
    }
    assertRefusedLeavingNothing(file, "truncated");
  }

  @Test
  void aFileThatIsNoBackupIsRefusedAndNothingIsWritten() throws Exception {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "not a backup at all");
    assertRefusedLeavingNothing(file, "is not a Floe backup");
  }

  @Test
  void aRestoreIntoAStoreThatHoldsStateIsRefusedAndTheStateIsKept() throws Exception {
    Path file = backup();
    newCluster();
    restored.start(R1, b -> b.members(List.of(R1)).restoreFrom(file));
    restored.awaitLeader();
    List<String> before = new ArrayList<>(restored.values.get(R1).strings());
    before.addAll(restored.write("after", 3));
    restored.stop(R1);
    List<Path> files;
    try (Stream<Path> all = Files.walk(restored.raftDir(R1))) {
      files = all.sorted().toList();
    }

    assertThatThrownBy(() -> restored.start(R1, b -> b.members(List.of(R1)).restoreFrom(file)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds state")
        .hasMessageContaining("nothing was restored or overwritten");

    try (Stream<Path> all = Files.walk(restored.raftDir(R1))) {
      assertThat(all.sorted().toList()).isEqualTo(files);
    }
    restored.start(R1, b -> b.members(List.of(R1)));
    await().atMost(FileNodes.WAIT).untilAsserted(
        () -> assertThat(restored.values.get(R1).strings()).containsExactlyElementsOf(before));
  }

  @Test
  void aRestoreIsOnlyForANodeFoundingAClusterOfItselfAlone() throws Exception {
    newCluster();
    Path file = dir.resolve("any.backup");
    assertThatThrownBy(() -> restored.build(R1, b -> b.members(RESTORED).restoreFrom(file)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alone");
    assertThatThrownBy(() -> restored.build(R1, b -> b.join().restoreFrom(file)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("join()");
  }
}
