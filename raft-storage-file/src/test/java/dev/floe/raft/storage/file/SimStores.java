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

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/** Stores over a {@link SimFileSystem}, for tests. */
final class SimStores {
  /** Where the tests' stores live in a simulated file system. */
  static final Path DIR = Path.of("/", "sim", "node");

  /** Segments of 32 KiB with 16 KiB of zeros ahead: a batch spans pages, a size bounds nothing. */
  static final FileLogStoreOptions PAGED =
      FileLogStoreOptions.DEFAULTS.withSegmentSizeBytes(32 << 10).withPreallocateBytes(16 << 10);

  private static final AtomicLong DIRECTORY_IDS = new AtomicLong(0x5eed_0000_0000_0001L);

  private SimStores() {}

  /** An environment over {@code fs}, with the writer on {@code executor} (null: a thread). */
  static StoreEnvironment environment(SimFileSystem fs, Executor executor) {
    return new StoreEnvironment(fs, executor, () -> 0L, DIRECTORY_IDS::getAndIncrement);
  }

  /** Opens the store in {@link #DIR} with its own sync thread; a new one gets an identity. */
  static FileLogStore open(SimFileSystem fs, FileLogStoreOptions options) throws IOException {
    return TestLogs.identified(new FileLogStore(DIR, options, environment(fs, null)));
  }

  /** Opens the store in {@link #DIR} with its writer on {@code executor}. */
  static FileLogStore open(SimFileSystem fs, FileLogStoreOptions options, Executor executor)
      throws IOException {
    return TestLogs.identified(new FileLogStore(DIR, options, environment(fs, executor)));
  }

  /** The path of the segment that starts at {@code firstIndex}. */
  static Path segment(long firstIndex) {
    return DIR.resolve(FileLogStore.LOG_DIR).resolve(SegmentFormat.fileName(firstIndex));
  }
}
