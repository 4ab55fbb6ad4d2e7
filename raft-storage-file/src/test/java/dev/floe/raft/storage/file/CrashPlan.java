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

import java.nio.file.Path;
import java.util.function.BiPredicate;
import java.util.random.RandomGenerator;

/**
 * What a power loss of a {@link SimFileSystem} keeps of what was not yet durable: a prefix of the
 * directory operations (creations, removals, renames) not yet synced, any subset of each file's
 * pages written since its last force, and for each file whose size changed since, the old or the
 * new size.
 */
interface CrashPlan {
  /** How many of the {@code pending} unsynced directory operations, oldest first, survive. */
  int keptDirectoryOperations(int pending);

  /** Whether the written content of {@code page} (of {@link SimInode#PAGE_BYTES}) survives. */
  boolean keepsPage(Path file, int page);

  /** Whether the file keeps its new size (else its size as of its last force). */
  boolean keepsNewSize(Path file);

  /** Every choice random: the crash model of a real disk with a write-back cache. */
  static CrashPlan random(RandomGenerator random) {
    return new CrashPlan() {
      @Override
      public int keptDirectoryOperations(int pending) {
        return random.nextInt(pending + 1);
      }

      @Override
      public boolean keepsPage(Path file, int page) {
        return random.nextBoolean();
      }

      @Override
      public boolean keepsNewSize(Path file) {
        return random.nextBoolean();
      }
    };
  }

  /** Keeps only what was durable. */
  static CrashPlan keepNothing() {
    return pages((file, page) -> false, false, false);
  }

  /** Keeps everything written, as a process crash without power loss does. */
  static CrashPlan keepEverything() {
    return pages((file, page) -> true, true, true);
  }

  /**
   * Keeps every unsynced directory operation or none, the pages {@code keep} accepts, and new
   * sizes or none.
   */
  static CrashPlan pages(
      BiPredicate<Path, Integer> keep, boolean directoryOperations, boolean newSizes) {
    return new CrashPlan() {
      @Override
      public int keptDirectoryOperations(int pending) {
        return directoryOperations ? pending : 0;
      }

      @Override
      public boolean keepsPage(Path file, int page) {
        return keep.test(file, page);
      }

      @Override
      public boolean keepsNewSize(Path file) {
        return newSizes;
      }
    };
  }
}
