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

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.StoreIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/** Helpers shared by the store's tests. */
final class TestLogs {
  /** Small segments, so that a few entries span several files. */
  static final FileLogStoreOptions SMALL_SEGMENTS =
      FileLogStoreOptions.DEFAULTS.withSegmentSizeBytes(1024).withPreallocateBytes(256);

  private TestLogs() {}

  /** The entry every test writes at {@code index} in {@code term}: its payload names both. */
  static LogEntry entry(long index, long term) {
    byte[] data = ("entry " + index + " of term " + term + " " + "x".repeat((int) (index % 40)))
        .getBytes(StandardCharsets.UTF_8);
    EntryType type = index % 7 == 0 ? EntryType.NOOP : EntryType.COMMAND;
    return new LogEntry(index, term, type, type == EntryType.NOOP ? new byte[0] : data);
  }

  static List<LogEntry> entries(long from, long toInclusive, long term) {
    List<LogEntry> result = new ArrayList<>();
    for (long i = from; i <= toInclusive; i++) {
      result.add(entry(i, term));
    }
    return result;
  }

  /** The identity the tests give a new store: node n1 of cluster "test", founded by n1..n3. */
  static final StoreIdentity IDENTITY = new StoreIdentity(ClusterId.of("test"), NodeId.of("n1"),
      Configuration.ofVoters(List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"))));

  /** Opens a store; a new one gets {@link #IDENTITY}, as a node's first start gives it one. */
  static FileLogStore open(Path dir, FileLogStoreOptions options, StorageIo io) throws IOException {
    FileLogStore store = new FileLogStore(dir, options, io);
    return identified(store);
  }

  /** Opens {@code store}, saving {@link #IDENTITY} if it is new. */
  static FileLogStore identified(FileLogStore store) throws IOException {
    store.open();
    if (store.identity().isEmpty()) {
      store.saveIdentity(IDENTITY);
    }
    return store;
  }

  static FileLogStore open(Path dir) throws IOException {
    return open(dir, SMALL_SEGMENTS, StorageIo.REAL);
  }

  /** Waits for a sync; the timeout only keeps a broken store from hanging the build. */
  static void await(CompletableFuture<Void> sync) throws Exception {
    try {
      sync.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("sync did not complete", e);
    }
  }

  /** Waits for a sync to finish either way; returns whether it succeeded. */
  static boolean settle(CompletableFuture<Void> sync) throws Exception {
    try {
      sync.get(60, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      return false;
    }
  }

  static List<LogEntry> all(FileLogStore store) {
    return store.entries(store.firstIndex(), store.lastIndex() + 1, Long.MAX_VALUE);
  }

  static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve(FileLogStore.LOG_DIR))) {
      return files.filter(p -> p.toString().endsWith(SegmentFormat.SUFFIX)).sorted().toList();
    }
  }

  static void copyDirectory(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else if (!source.getFileName().toString().equals(FileLogStore.LOCK_FILE)) {
          Files.copy(source, target);
        }
      }
    }
  }
}
