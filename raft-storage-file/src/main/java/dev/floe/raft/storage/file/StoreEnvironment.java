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

import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * What a {@link FileLogStore} takes from its surroundings, so that a simulator can supply all of
 * it: the file system, where the writer runs, the clock of group commit, and the source of
 * directory ids.
 *
 * @param io the file system
 * @param writerExecutor runs the writer as ordered tasks, or {@code null} for a thread of its own
 *     (production)
 * @param nanoClock the clock of {@link GroupCommitPolicy}'s delay trigger, as {@link
 *     System#nanoTime()}
 * @param directoryIds draws the id of a new data directory
 */
record StoreEnvironment(
    StorageIo io, Executor writerExecutor, LongSupplier nanoClock, LongSupplier directoryIds) {

  private static final SecureRandom RANDOM = new SecureRandom();

  StoreEnvironment {
    Objects.requireNonNull(io, "io");
    Objects.requireNonNull(nanoClock, "nanoClock");
    Objects.requireNonNull(directoryIds, "directoryIds");
  }

  /** Real files, a sync thread of the store's own, the system's clock, random directory ids. */
  static StoreEnvironment real() {
    return real(StorageIo.REAL);
  }

  /** As {@link #real()}, on another file system. */
  static StoreEnvironment real(StorageIo io) {
    return new StoreEnvironment(io, null, System::nanoTime, RANDOM::nextLong);
  }
}
