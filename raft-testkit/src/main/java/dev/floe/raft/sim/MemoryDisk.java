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
package dev.floe.raft.sim;

import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.SnapshotStore;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * The simulator's default disk: an {@link InMemoryLogStore.Disk} (a crash keeps a random prefix of
 * the unsynced writes) and an {@link InMemorySnapshotStore.Shelf} (snapshots publish atomically).
 * It can lose its term and vote record, and its log stores fail a blocking wait for a sync rather
 * than hang the simulator's one thread.
 */
public final class MemoryDisk implements SimDisk {
  private final InMemoryLogStore.Disk log = new InMemoryLogStore.Disk();
  private final InMemorySnapshotStore.Shelf shelf = new InMemorySnapshotStore.Shelf();

  @Override
  public LogStore openLog(Executor diskThread) {
    return InMemoryLogStore.forSimulator(log, diskThread::execute);
  }

  @Override
  public SnapshotStore openSnapshots() {
    return new InMemorySnapshotStore(shelf);
  }

  @Override
  public void crash(RandomGenerator random) {
    log.crash(random);
  }

  /** The log's disk, for scripts that inspect what is durable. */
  InMemoryLogStore.Disk log() {
    return log;
  }

  /** A crash that keeps none of the unsynced writes, for scripts that need that exact state. */
  void crashLosingEveryUnsyncedWrite() {
    log.crashLosingEveryUnsyncedWrite();
  }

  @Override
  public void wipe() {
    log.wipe();
    shelf.wipe();
  }

  @Override
  public boolean loseTermAndVote() {
    return log.loseTermAndVote();
  }

  @Override
  public void restoreTermAndVote() {
    log.restoreTermAndVote();
  }
}
