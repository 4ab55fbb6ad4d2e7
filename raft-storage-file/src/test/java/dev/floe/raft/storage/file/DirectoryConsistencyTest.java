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

import static dev.floe.raft.storage.file.TestLogs.all;
import static dev.floe.raft.storage.file.TestLogs.entries;
import static dev.floe.raft.storage.file.TestLogs.open;
import static dev.floe.raft.storage.file.TestLogs.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.TermAndVote;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory whose parts contradict each other is refused with an error naming the file,
 * and nothing in it is changed; so is a file of a format this code does not read.
 */
class DirectoryConsistencyTest {
  private static final TermAndVote VOTE = new TermAndVote(4, NodeId.of("n2"));

  @TempDir Path temp;

  /** A closed store with entries 1..30 and a vote for n2 in term 4, as a follower leaves it. */
  private Path follower(String name) throws IOException {
    Path dir = temp.resolve(name);
    try (FileLogStore store = open(dir)) {
      store.append(entries(1, 30, 3));
      store.saveTermAndVote(VOTE);
    }
    return dir;
  }

  private static List<String> names(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      return files.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  private static void setVersion(Path file, int offset, int version) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).putShort(offset, (short) version);
    Files.write(file, bytes);
  }

  @Test
  void metaDeletedFromADirectoryWithEntriesAndAVoteIsRefusedNamingTheFile() throws Exception {
    Path dir = follower("follower");
    Files.delete(dir.resolve(MetaFile.NAME));
    // What an interrupted replacement left, perhaps of use to an operator: kept too.
    Files.write(dir.resolve(MetaFile.TEMP_NAME), new byte[] {1, 2, 3});
    List<String> before = names(dir);

    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(InconsistentStoreException.class)
        .hasMessageContaining(dir.resolve(MetaFile.NAME).toString() + " is missing")
        .hasMessageContaining("vote twice")
        .satisfies(e -> assertThat(((InconsistentStoreException) e).file())
            .isEqualTo(dir.toAbsolutePath().resolve(MetaFile.NAME)));
    assertThat(names(dir)).isEqualTo(before);
  }

  @Test
  void identityDeletedFromADirectoryWithDataIsRefusedNamingIt() throws Exception {
    Path dir = follower("no-identity");
    Files.delete(dir.resolve(IdentityFile.NAME));

    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(InconsistentStoreException.class)
        .hasMessageContaining(dir.resolve(IdentityFile.NAME) + " is missing")
        .hasMessageContaining("segment");
  }

  @Test
  void identityDeletedFromADirectoryWithATermButNoEntriesIsRefusedNamingIt() throws Exception {
    Path dir = temp.resolve("voter");
    try (FileLogStore store = open(dir)) {
      store.saveTermAndVote(VOTE);
    }
    Files.delete(dir.resolve(IdentityFile.NAME));

    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(InconsistentStoreException.class)
        .hasMessageContaining(dir.resolve(IdentityFile.NAME) + " is missing")
        .hasMessageContaining("holds term 4, vote n2");
  }

  @Test
  void segmentsWithoutMetaAndIdentityAreRefused() throws Exception {
    Path dir = follower("segments-only");
    Files.delete(dir.resolve(MetaFile.NAME));
    Files.delete(dir.resolve(IdentityFile.NAME));

    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(InconsistentStoreException.class)
        .hasMessageContaining("and so is " + dir.resolve(MetaFile.NAME))
        .hasMessageContaining(segments(dir).get(0).toString());
  }

  @Test
  void aMetaCopiedFromAnotherNodesDirectoryIsRefused() throws Exception {
    Path mine = follower("mine");
    Path other = follower("other");
    Files.copy(other.resolve(MetaFile.NAME), mine.resolve(MetaFile.NAME),
        StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> open(mine))
        .isInstanceOf(InconsistentStoreException.class)
        .hasMessageContaining(mine.resolve(MetaFile.NAME) + " belongs to directory")
        .hasMessageContaining("copied from another directory");
  }

  @Test
  void anIdentityAndMetaCopiedFromAnotherNodesDirectoryAreRefusedByTheSegments() throws Exception {
    Path mine = follower("mine");
    Path other = follower("other");
    for (String name : List.of(MetaFile.NAME, IdentityFile.NAME)) {
      Files.copy(other.resolve(name), mine.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
    Path segment = segments(mine).get(0);

    assertThatThrownBy(() -> open(mine))
        .isInstanceOf(InconsistentStoreException.class)
        .hasMessageContaining(segment + " belongs to directory")
        .hasMessageContaining("copied from another node's directory");
  }

  @Test
  void aSegmentCopiedFromAnotherNodesDirectoryIsRefused() throws Exception {
    Path mine = follower("mine");
    Path other = follower("other");
    Path segment = segments(mine).get(1);
    Files.copy(other.resolve("log").resolve(segment.getFileName()), segment,
        StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> open(mine))
        .isInstanceOf(InconsistentStoreException.class)
        .hasMessageContaining(segment + " belongs to directory");
  }

  @Test
  void aMissingLogDirectoryIsRefused() throws Exception {
    Path dir = temp.resolve("no-log");
    try (FileLogStore store = open(dir)) {
      store.saveTermAndVote(VOTE);
    }
    Files.delete(dir.resolve(FileLogStore.LOG_DIR));

    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(InconsistentStoreException.class)
        .hasMessageContaining(dir.resolve(FileLogStore.LOG_DIR) + " is missing");
  }

  @Test
  void filesOfANewerFormatAreRefusedAsWrittenByANewerFloe() throws Exception {
    record Case(String file, int versionOffset, int version) {}
    for (Case c : List.of(
        new Case(IdentityFile.NAME, IdentityFile.VERSION_OFFSET, IdentityFile.VERSION),
        new Case(MetaFile.NAME, MetaFile.VERSION_OFFSET, MetaFile.VERSION),
        new Case("log/" + SegmentFormat.fileName(1), SegmentFormat.VERSION_OFFSET,
            SegmentFormat.VERSION))) {
      Path dir = follower("newer-" + c.file().replace('/', '-'));
      Path file = dir.resolve(c.file());
      setVersion(file, c.versionOffset(), c.version() + 1);

      assertThatThrownBy(() -> open(dir))
          .as(c.file())
          .isInstanceOf(UnsupportedFormatException.class)
          .hasMessage("written by a newer Floe: " + file.toAbsolutePath() + " has format version "
              + (c.version() + 1) + ", this Floe reads up to " + c.version());
    }
  }

  @Test
  void aFileOfAnOlderFormatIsRefusedAsWrittenByAnOlderFloe() throws Exception {
    Path dir = follower("older");
    setVersion(dir.resolve(MetaFile.NAME), MetaFile.VERSION_OFFSET, 1);

    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(UnsupportedFormatException.class)
        .hasMessageStartingWith("written by an older Floe: "
            + dir.toAbsolutePath().resolve(MetaFile.NAME) + " has format version 1")
        .satisfies(e -> assertThat(((UnsupportedFormatException) e).foundVersion()).isEqualTo(1));
  }

  @Test
  void aSnapshotOfANewerFormatIsRefusedAsWrittenByANewerFloe() throws Exception {
    Path dir = temp.resolve("snapshots");
    SnapshotMeta written;
    try (FileSnapshotStore store = new FileSnapshotStore(dir)) {
      store.open();
      written = FileSnapshotStoreTest.write(store, 10, 2, new byte[100]);
    }
    Path meta = dir.resolve(SnapshotFormat.directoryName(written.index(), written.term()))
        .resolve(SnapshotFormat.META_FILE);
    setVersion(meta, SnapshotFormat.VERSION_OFFSET, SnapshotFormat.VERSION + 1);

    assertThatThrownBy(() -> new FileSnapshotStore(dir).open())
        .isInstanceOf(UnsupportedFormatException.class)
        .hasMessageStartingWith("written by a newer Floe: " + meta.toAbsolutePath());
  }

  @Test
  void anEmptyMetaWithoutIdentityIsTheLeftoverOfAnInterruptedFirstStart() throws Exception {
    Path dir = temp.resolve("interrupted");
    Files.createDirectories(dir);
    MetaFile.write(StorageIo.REAL, dir, MetaFile.Meta.initial(77));

    FileLogStore store = new FileLogStore(dir, TestLogs.SMALL_SEGMENTS);
    store.open();
    try (store) {
      assertThat(store.identity()).isEmpty();
      assertThat(Files.exists(dir.resolve(MetaFile.NAME))).isFalse();
    }
  }

  @Test
  void aNewStoreRefusesEveryWriteBeforeItsIdentity() throws Exception {
    Path dir = temp.resolve("new");
    FileLogStore store = new FileLogStore(dir, TestLogs.SMALL_SEGMENTS);
    store.open();
    try (store) {
      assertThatThrownBy(() -> store.append(entries(1, 1, 1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("saveIdentity");
      assertThatThrownBy(() -> store.saveTermAndVote(VOTE))
          .isInstanceOf(IllegalStateException.class);
      store.saveIdentity(TestLogs.IDENTITY);
      store.saveTermAndVote(VOTE);
      TestLogs.await(store.sync());
    }
    try (FileLogStore reopened = open(dir)) {
      assertThat(reopened.identity()).contains(TestLogs.IDENTITY);
      assertThat(reopened.termAndVote()).isEqualTo(VOTE);
    }
  }

  @Test
  void otherEntriesOfTheDataDirectoryAreLeftAlone() throws Exception {
    Path dir = follower("with-snapshots");
    Files.createDirectories(dir.resolve("snapshots"));
    Files.writeString(dir.resolve("README"), "the operator's notes");

    try (FileLogStore store = open(dir)) {
      assertThat(all(store)).containsExactlyElementsOf(entries(1, 30, 3));
      assertThat(store.termAndVote()).isEqualTo(VOTE);
    }
    assertThat(dir.resolve("README")).hasContent("the operator's notes");
  }
}
