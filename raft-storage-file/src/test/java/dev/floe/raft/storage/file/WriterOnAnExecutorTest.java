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
import static dev.floe.raft.storage.file.TestLogs.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The store's writer run as ordered tasks on a caller's executor, as the simulator runs it: it
 * does nothing between tasks, and carries out the same group commit as its thread would.
 */
class WriterOnAnExecutorTest {
  private final SimFileSystem fs = new SimFileSystem();
  private final ManualExecutor disk = new ManualExecutor();

  @Test
  void nothingIsWrittenUntilTheExecutorRunsTheWriterAndSyncsCompleteInOrder() throws Exception {
    FileLogStore store = SimStores.open(fs, SimStores.PAGED, disk);
    List<Integer> completed = new ArrayList<>();
    store.append(entries(1, 5, 1));
    CompletableFuture<Void> first = store.sync().thenRun(() -> completed.add(1));
    store.append(entries(6, 10, 1));
    CompletableFuture<Void> second = store.sync().thenRun(() -> completed.add(2));

    assertThat(fs.exists(SimStores.DIR.resolve(IdentityFile.NAME))).isFalse();
    assertThat(fs.exists(SimStores.segment(1))).isFalse();
    assertThat(first).isNotDone();
    assertThat(store.entries(1, 11, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 10, 1));

    assertThat(disk.runAll()).isPositive();
    assertThat(second).isCompleted();
    assertThat(completed).containsExactly(1, 2);
    store.close();
    disk.runAll();
    fs.crash(CrashPlan.keepNothing());
    try (FileLogStore reopened = SimStores.open(fs, SimStores.PAGED, disk)) {
      assertThat(all(reopened)).containsExactlyElementsOf(entries(1, 10, 1));
    }
  }

  @Test
  void syncsQueuedBeforeTheWriterRunsShareOneForce() throws Exception {
    FileLogStore store = SimStores.open(fs, SimStores.PAGED, disk);
    disk.runAll(); // the identity
    int forcesBefore = fs.forces();
    List<CompletableFuture<Void>> syncs = new ArrayList<>();
    for (long i = 1; i <= 20; i++) {
      store.append(List.of(entry(i, 1)));
      syncs.add(store.sync());
    }

    disk.runAll();

    assertThat(syncs).allMatch(CompletableFuture::isDone);
    assertThat(fs.forces() - forcesBefore).isEqualTo(1);
  }

  @Test
  void aWriteQueuedAfterAForceIsCoveredByTheNextOne() throws Exception {
    FileLogStore store = SimStores.open(fs, SimStores.PAGED, disk);
    store.append(List.of(entry(1, 1)));
    CompletableFuture<Void> first = store.sync();
    disk.runAll();
    store.append(List.of(entry(2, 1)));
    CompletableFuture<Void> second = store.sync();

    assertThat(first).isCompleted();
    assertThat(second).isNotDone();
    disk.runAll();
    assertThat(second).isCompleted();
  }

  @Test
  void closeQueuesTheClosingAndTheDirectoryIsReleasedWhenItRuns() throws Exception {
    FileLogStore store = SimStores.open(fs, SimStores.PAGED, disk);
    store.append(entries(1, 3, 1));
    store.close();
    assertThatThrownBy(() -> SimStores.open(fs, SimStores.PAGED, disk))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("already in use");

    disk.runAll();

    try (FileLogStore reopened = SimStores.open(fs, SimStores.PAGED, disk)) {
      assertThat(all(reopened)).containsExactlyElementsOf(entries(1, 3, 1));
    }
  }
}
