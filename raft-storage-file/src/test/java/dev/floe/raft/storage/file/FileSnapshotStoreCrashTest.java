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

import static dev.floe.raft.storage.file.FileSnapshotStoreTest.bytes;
import static dev.floe.raft.storage.file.FileSnapshotStoreTest.names;
import static dev.floe.raft.storage.file.FileSnapshotStoreTest.readAll;
import static dev.floe.raft.storage.file.FileSnapshotStoreTest.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.spi.SnapshotMeta;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that dies at any file-system step of a commit leaves the previous snapshot or the new
 * one, and nothing else once reopened.
 */
class FileSnapshotStoreCrashTest {
  @TempDir Path root;

  /** Once armed, fails the {@code n+1}-th file-system call, and every call after it. */
  private static final class CrashingIo implements StorageIo {
    private long remaining = Long.MAX_VALUE;
    private boolean crashed;

    void crashAfterCalls(long n) {
      remaining = n;
    }

    boolean crashed() {
      return crashed;
    }

    private void step() throws IOException {
      if (crashed || remaining-- == 0) {
        crashed = true;
        throw new IOException("simulated crash");
      }
    }

    @Override
    public FileChannel open(Path file, OpenOption... options) throws IOException {
      step();
      return StorageIo.super.open(file, options);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
      step();
      StorageIo.super.syncDirectory(dir);
    }

    @Override
    public void delete(Path file) throws IOException {
      step();
      StorageIo.super.delete(file);
    }

    @Override
    public void moveAtomically(Path source, Path target) throws IOException {
      step();
      StorageIo.super.moveAtomically(source, target);
    }
  }

  @Test
  void aCrashAtEachStepOfACommitLeavesThePreviousSnapshotOrTheNewOne() throws Exception {
    boolean sawOld = false;
    boolean sawNew = false;
    for (int step = 0; ; step++) {
      Path dir = root.resolve("run-" + step);
      SnapshotMeta previous;
      try (FileSnapshotStore store = new FileSnapshotStore(dir)) {
        store.open();
        previous = write(store, 10, 1, bytes(5000, 1));
      }

      CrashingIo io = new CrashingIo();
      FileSnapshotStore crashing = new FileSnapshotStore(dir, io);
      crashing.open();
      io.crashAfterCalls(step);
      SnapshotMeta committed = null;
      try {
        committed = write(crashing, 20, 2, bytes(7000, 2));
      } catch (IOException e) {
        assertThat(io.crashed()).isTrue();
      }
      // The process is gone: the crashed store is never closed.

      try (FileSnapshotStore store = new FileSnapshotStore(dir)) {
        SnapshotMeta latest = store.open().orElseThrow();
        if (committed != null) {
          assertThat(latest).isEqualTo(committed);
        }
        assertThat(latest).isIn(previous, new SnapshotMeta(20, 2, previous.configuration(), 7000));
        byte[] expected = latest.index() == 20 ? bytes(7000, 2) : bytes(5000, 1);
        assertThat(readAll(store, latest, 0)).isEqualTo(expected);
        assertThat(names(dir))
            .containsExactly(SnapshotFormat.directoryName(latest.index(), latest.term()));
        sawOld |= latest.index() == 10;
        sawNew |= latest.index() == 20;
      }
      if (!io.crashed()) {
        break; // the commit ran every step
      }
    }
    assertThat(sawOld).isTrue();
    assertThat(sawNew).isTrue();
  }

  @Test
  void aFileSystemWithoutAtomicMovesFailsTheCommitAndPublishesNothing() throws Exception {
    StorageIo noAtomicMove =
        new StorageIo() {
          @Override
          public void moveAtomically(Path source, Path target) throws IOException {
            throw new AtomicMoveNotSupportedException(source.toString(), target.toString(), "no");
          }
        };
    Path dir = root.resolve("snapshots");
    try (FileSnapshotStore store = new FileSnapshotStore(dir, noAtomicMove)) {
      store.open();
      assertThatThrownBy(() -> write(store, 20, 2, bytes(10, 2)))
          .isInstanceOf(AtomicMoveNotSupportedException.class);
      assertThat(store.latest()).isEmpty();
    }
    assertThat(names(dir)).isEmpty();
  }
}
