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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.SnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotStoreTest {
  private static final byte[] CONFIGURATION = "n1,n2,n3".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dataDir;

  private Path dir() {
    return dataDir.resolve("snapshots");
  }

  @Test
  void newStoreCreatesItsDirectoryAndHasNoSnapshot() throws Exception {
    try (FileSnapshotStore store = new FileSnapshotStore(dir())) {
      assertThat(store.open()).isEmpty();
      assertThat(store.latest()).isEmpty();
      assertThat(dir()).isDirectory().isEmptyDirectory();
    }
  }

  @Test
  void committedSnapshotIsFoundOnReopenWithTheSameMetaAndBytes() throws Exception {
    byte[] data = bytes(100_000, 7);
    SnapshotMeta committed;
    try (FileSnapshotStore store = open()) {
      committed = write(store, 120, 3, data);
      assertThat(committed).isEqualTo(new SnapshotMeta(120, 3, CONFIGURATION, data.length));
      assertThat(store.latest()).contains(committed);
    }
    try (FileSnapshotStore store = new FileSnapshotStore(dir())) {
      assertThat(store.open()).contains(committed);
      assertThat(store.latest()).contains(committed);
      assertThat(readAll(store, committed, 0)).isEqualTo(data);
    }
    assertThat(names(dir())).containsExactly("00000000000000000120-00000000000000000003");
    assertThat(names(dir().resolve("00000000000000000120-00000000000000000003")))
        .containsExactlyInAnyOrder("data", "meta");
  }

  @Test
  void emptySnapshotWithEmptyConfigurationRoundTrips() throws Exception {
    try (FileSnapshotStore store = open()) {
      SnapshotMeta committed;
      try (SnapshotStore.Sink sink = store.begin(1, 1, new byte[0])) {
        committed = sink.commit();
      }
      assertThat(committed).isEqualTo(new SnapshotMeta(1, 1, new byte[0], 0));
      assertThat(readAll(store, committed, 0)).isEmpty();
    }
    try (FileSnapshotStore store = new FileSnapshotStore(dir())) {
      assertThat(store.open()).contains(new SnapshotMeta(1, 1, new byte[0], 0));
    }
  }

  @Test
  void newerCommitReplacesTheOlderAndRemovesItsDirectory() throws Exception {
    try (FileSnapshotStore store = open()) {
      SnapshotMeta older = write(store, 10, 1, bytes(1000, 1));
      SnapshotMeta newer = write(store, 20, 2, bytes(2000, 2));

      assertThat(store.latest()).contains(newer);
      assertThat(names(dir())).containsExactly("00000000000000000020-00000000000000000002");
      assertThatThrownBy(() -> store.open(older, 0))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("no longer kept");
      assertThat(readAll(store, newer, 0)).isEqualTo(bytes(2000, 2));
    }
  }

  @Test
  void commitOlderThanTheLatestPublishesNothing() throws Exception {
    try (FileSnapshotStore store = open()) {
      SnapshotMeta newer = write(store, 20, 2, bytes(10, 2));
      SnapshotMeta older = write(store, 10, 1, bytes(10, 1));

      assertThat(older.index()).isEqualTo(10);
      assertThat(store.latest()).contains(newer);
      assertThat(names(dir())).containsExactly("00000000000000000020-00000000000000000002");
    }
  }

  @Test
  void commitWithTheIndexAndTermOfTheLatestKeepsThePublishedOne() throws Exception {
    try (FileSnapshotStore store = open()) {
      SnapshotMeta first = write(store, 20, 2, bytes(10, 2));
      SnapshotMeta again = write(store, 20, 2, bytes(30, 3));

      assertThat(again).isEqualTo(first);
      assertThat(store.latest()).contains(first);
      assertThat(readAll(store, first, 0)).isEqualTo(bytes(10, 2));
      assertThat(names(dir())).containsExactly("00000000000000000020-00000000000000000002");
    }
  }

  @Test
  void abortLeavesNothing() throws Exception {
    try (FileSnapshotStore store = open()) {
      SnapshotStore.Sink sink = store.begin(5, 1, CONFIGURATION);
      sink.stream().write(bytes(1000, 5));
      assertThat(names(dir())).hasSize(1);

      sink.abort();
      sink.abort();

      assertThat(dir()).isEmptyDirectory();
      assertThat(store.latest()).isEmpty();
      assertThatThrownBy(() -> sink.stream().write(1))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("aborted");
      assertThatThrownBy(sink::commit).isInstanceOf(IllegalStateException.class);
    }
    try (FileSnapshotStore store = new FileSnapshotStore(dir())) {
      assertThat(store.open()).isEmpty();
    }
  }

  @Test
  void closingASinkWithoutCommitAbortsItAndAbortAfterCommitDoesNothing() throws Exception {
    try (FileSnapshotStore store = open()) {
      try (SnapshotStore.Sink sink = store.begin(5, 1, CONFIGURATION)) {
        sink.stream().write(bytes(10, 5));
      }
      assertThat(dir()).isEmptyDirectory();

      SnapshotStore.Sink sink = store.begin(6, 1, CONFIGURATION);
      SnapshotMeta committed = sink.commit();
      sink.abort();
      assertThat(store.latest()).contains(committed);
      assertThat(names(dir())).containsExactly("00000000000000000006-00000000000000000001");
    }
  }

  @Test
  void closingTheStoreAbortsItsOpenSinks() throws Exception {
    FileSnapshotStore store = open();
    SnapshotStore.Sink sink = store.begin(5, 1, CONFIGURATION);
    sink.stream().write(bytes(10, 5));

    store.close();

    assertThat(dir()).isEmptyDirectory();
    assertThatThrownBy(sink::commit).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void tmpLeftoverOfACrashIsRemovedOnOpenAndThePreviousSnapshotStaysLatest() throws Exception {
    SnapshotMeta previous;
    try (FileSnapshotStore store = open()) {
      previous = write(store, 10, 1, bytes(500, 1));
    }
    Path leftover = dir().resolve("tmp-20-2-crashed");
    Files.createDirectory(leftover);
    Files.write(leftover.resolve("data"), bytes(300, 2)); // half written, no meta

    try (FileSnapshotStore store = new FileSnapshotStore(dir())) {
      assertThat(store.open()).contains(previous);
      assertThat(readAll(store, previous, 0)).isEqualTo(bytes(500, 1));
    }
    assertThat(leftover).doesNotExist();
  }

  @Test
  void olderSnapshotLeftByACrashDuringCleanupIsRemovedOnOpen() throws Exception {
    SnapshotMeta newer;
    try (FileSnapshotStore store = open()) {
      newer = write(store, 20, 2, bytes(500, 2));
    }
    // A crash while removing the older snapshot may leave any part of it.
    Path older = dir().resolve(SnapshotFormat.directoryName(10, 1));
    Files.createDirectory(older);
    Files.write(older.resolve("meta"), new byte[] {1, 2, 3});

    try (FileSnapshotStore store = new FileSnapshotStore(dir())) {
      assertThat(store.open()).contains(newer);
    }
    assertThat(older).doesNotExist();
  }

  @Test
  void readingFromAnOffsetReturnsTheSuffix() throws Exception {
    byte[] data = bytes(200_000, 9);
    try (FileSnapshotStore store = open()) {
      SnapshotMeta snapshot = write(store, 30, 4, data);

      byte[] suffix = readAll(store, snapshot, 123_457);

      assertThat(suffix).isEqualTo(Arrays.copyOfRange(data, 123_457, data.length));
      assertThat(readAll(store, snapshot, data.length)).isEmpty();
      assertThatThrownBy(() -> store.open(snapshot, data.length + 1))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void flippedByteInDataFailsAFullReadNamingTheFile() throws Exception {
    SnapshotMeta snapshot;
    try (FileSnapshotStore store = open()) {
      snapshot = write(store, 30, 4, bytes(100_000, 3));
    }
    Path data = dir().resolve(SnapshotFormat.directoryName(30, 4)).resolve("data");
    flipByte(data, 54_321);

    try (FileSnapshotStore store = new FileSnapshotStore(dir())) {
      assertThat(store.open()).contains(snapshot);
      assertThatThrownBy(() -> readAll(store, snapshot, 0))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(data.toString())
          .hasMessageContaining("CRC32C mismatch");
      // A reader that knows the size and never reads past it gets the check too.
      try (InputStream in = store.open(snapshot, 0)) {
        assertThatThrownBy(() -> in.readNBytes((int) snapshot.sizeBytes()))
            .isInstanceOf(IOException.class)
            .hasMessageContaining(data.toString());
      }
    }
  }

  @Test
  void corruptMetaOfAPublishedSnapshotFailsOpenNamingIt() throws Exception {
    try (FileSnapshotStore store = open()) {
      write(store, 10, 1, bytes(100, 1));
      write(store, 20, 2, bytes(100, 2));
    }
    Path meta = dir().resolve(SnapshotFormat.directoryName(20, 2)).resolve("meta");
    flipByte(meta, SnapshotFormat.INDEX_OFFSET + 7);

    try (FileSnapshotStore store = new FileSnapshotStore(dir())) {
      assertThatThrownBy(store::open)
          .isInstanceOf(IOException.class)
          .hasMessageContaining(meta.toString())
          .hasMessageContaining("CRC mismatch");
      assertThat(store.latest()).isEmpty();
    }
    assertThat(meta).exists();
  }

  @Test
  void truncatedDataOfAPublishedSnapshotFailsOpenNamingIt() throws Exception {
    try (FileSnapshotStore store = open()) {
      write(store, 10, 1, bytes(100, 1));
    }
    Path data = dir().resolve(SnapshotFormat.directoryName(10, 1)).resolve("data");
    Files.write(data, bytes(60, 1));

    try (FileSnapshotStore store = new FileSnapshotStore(dir())) {
      assertThatThrownBy(store::open)
          .isInstanceOf(IOException.class)
          .hasMessageContaining(data.toString());
    }
  }

  @Test
  void streamOpenedBeforeAReplacementReadsTheOldSnapshotToTheEnd() throws Exception {
    try (FileSnapshotStore store = open()) {
      SnapshotMeta older = write(store, 10, 1, bytes(100_000, 1));
      try (InputStream in = store.open(older, 0)) {
        byte[] head = in.readNBytes(10);

        write(store, 20, 2, bytes(10, 2));

        byte[] rest = in.readAllBytes();
        assertThat(head.length + rest.length).isEqualTo(100_000);
      }
      assertThatThrownBy(() -> store.open(older, 0))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("no longer kept");
    }
  }

  @Test
  void methodsFailBeforeOpenAndAfterClose() throws Exception {
    FileSnapshotStore store = new FileSnapshotStore(dir());
    assertThatThrownBy(() -> store.begin(1, 1, CONFIGURATION))
        .isInstanceOf(IllegalStateException.class);
    store.open();
    assertThatThrownBy(store::open).isInstanceOf(IllegalStateException.class);
    store.close();
    store.close();
    assertThatThrownBy(() -> store.begin(1, 1, CONFIGURATION))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void sixtyFourMebibyteSnapshotStreamsThroughInBoundedChunks() throws Exception {
    int chunkBytes = 1024 * 1024;
    int chunks = 64;
    CRC32C written = new CRC32C();
    SnapshotMeta snapshot;
    try (FileSnapshotStore store = open()) {
      try (SnapshotStore.Sink sink = store.begin(1000, 7, CONFIGURATION)) {
        OutputStream out = sink.stream();
        for (int i = 0; i < chunks; i++) {
          byte[] chunk = bytes(chunkBytes, i);
          written.update(chunk);
          out.write(chunk);
        }
        snapshot = sink.commit();
      }
      assertThat(snapshot.sizeBytes()).isEqualTo((long) chunkBytes * chunks);

      CRC32C read = new CRC32C();
      long total = 0;
      byte[] buffer = new byte[256 * 1024];
      try (InputStream in = store.open(snapshot, 0)) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          read.update(buffer, 0, n);
          total += n;
        }
      }
      assertThat(total).isEqualTo(snapshot.sizeBytes());
      assertThat(read.getValue()).isEqualTo(written.getValue());
    }
  }

  private FileSnapshotStore open() throws IOException {
    FileSnapshotStore store = new FileSnapshotStore(dir());
    store.open();
    return store;
  }

  static SnapshotMeta write(SnapshotStore store, long index, long term, byte[] data)
      throws IOException {
    try (SnapshotStore.Sink sink = store.begin(index, term, CONFIGURATION)) {
      OutputStream out = sink.stream();
      // Mixed write sizes exercise the sink's buffer.
      int position = 0;
      for (int size = 1; position < data.length; size = size * 3 + 1) {
        int n = Math.min(size, data.length - position);
        if (n == 1) {
          out.write(data[position]);
        } else {
          out.write(data, position, n);
        }
        position += n;
      }
      return sink.commit();
    }
  }

  static byte[] readAll(SnapshotStore store, SnapshotMeta snapshot, long offset)
      throws IOException {
    try (InputStream in = store.open(snapshot, offset)) {
      return in.readAllBytes();
    }
  }

  /** Deterministic bytes that differ by seed. */
  static byte[] bytes(int length, int seed) {
    byte[] bytes = new byte[length];
    int x = seed * 0x9E3779B9 + 1;
    for (int i = 0; i < length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes[i] = (byte) x;
    }
    return bytes;
  }

  static List<String> names(Path directory) throws IOException {
    try (Stream<Path> children = Files.list(directory)) {
      return children.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private static void flipByte(Path file, int position) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[position] ^= 0x40;
    Files.write(file, bytes);
  }
}
