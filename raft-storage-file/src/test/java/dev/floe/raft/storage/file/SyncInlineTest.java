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
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.message.LogEntry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link FileLogStore#syncInline()}: the caller forces its own writes, on its own thread, with
 * the guarantees of {@code sync()}; checked with power losses on a {@link SimFileSystem}.
 */
class SyncInlineTest {
  private static final FileLogStoreOptions OPTIONS = SimStores.PAGED;

  @Test
  void whatWasForcedInlineSurvivesAPowerLossAndWhatWasNotIsLost() throws Exception {
    SimFileSystem fs = new SimFileSystem();
    FileLogStore store = SimStores.open(fs, OPTIONS);
    store.append(entries(1, 300, 1)); // several segments: new ones are forced before they begin
    assertThat(store.syncInline()).isTrue();
    store.append(entries(301, 320, 1)); // never synced

    fs.crash(CrashPlan.keepNothing());
    store.close();
    try (FileLogStore reopened = SimStores.open(fs, OPTIONS)) {
      assertThat(all(reopened)).isEqualTo(entries(1, 300, 1));
    }
  }

  @Test
  void theSyncsAskedForBeforeAreCompleteWhenItReturns() throws Exception {
    SimFileSystem fs = new SimFileSystem();
    try (FileLogStore store = SimStores.open(fs, OPTIONS)) {
      assertThat(store.syncInline()).isTrue(); // from now on appends do not wake the sync thread
      store.append(entries(1, 10, 1));
      CompletableFuture<Void> first = store.sync();
      store.append(entries(11, 20, 1));
      CompletableFuture<Void> second = store.sync();
      store.append(entries(21, 30, 1));

      assertThat(store.syncInline()).isTrue();

      assertThat(first).isCompleted();
      assertThat(second).isCompleted();
    }
  }

  @Test
  void writesQueuedAfterAnInlineSyncAreForcedByCloseWhichEnds() throws Exception {
    SimFileSystem fs = new SimFileSystem();
    FileLogStore store = SimStores.open(fs, OPTIONS);
    store.append(entries(1, 5, 1));
    assertThat(store.syncInline()).isTrue();
    store.append(entries(6, 50, 1)); // queued, the sync thread asleep

    store.close(); // wakes the thread, which forces them and ends (close joins it)

    fs.crash(CrashPlan.keepNothing());
    try (FileLogStore reopened = SimStores.open(fs, OPTIONS)) {
      assertThat(all(reopened)).isEqualTo(entries(1, 50, 1));
    }
  }

  @Test
  void aStoreOnAnExecutorDoesNotSyncInlineAndSaysSo() throws Exception {
    SimFileSystem fs = new SimFileSystem();
    ManualExecutor executor = new ManualExecutor();
    FileLogStore store = new FileLogStore(SimStores.DIR, OPTIONS,
        SimStores.environment(fs, executor));
    store.open();
    store.saveIdentity(TestLogs.IDENTITY);
    executor.runAll();
    store.append(entries(1, 10, 1));
    int forces = fs.forces();

    assertThat(store.syncInline()).isFalse();

    assertThat(fs.forces()).isEqualTo(forces);
    CompletableFuture<Void> sync = store.sync();
    executor.runAll();
    assertThat(sync).isCompleted();
    store.close();
    executor.runAll();
  }

  @Test
  void aFailedWriteFailsTheInlineSyncAndEveryLaterSync() throws Exception {
    SimFileSystem fs = new SimFileSystem();
    try (FileLogStore store = SimStores.open(fs, OPTIONS)) {
      assertThat(store.syncInline()).isTrue();
      fs.fill();
      store.append(entries(1, 10, 1));

      assertThatThrownBy(store::syncInline).isInstanceOf(IOException.class)
          .hasMessageContaining("accepts no more writes");

      CompletableFuture<Void> later = store.sync();
      assertThatThrownBy(() -> later.get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
      assertThatThrownBy(store::syncInline).isInstanceOf(IOException.class);
    }
  }

  @Test
  void anInlineSyncAfterCloseFails() throws Exception {
    SimFileSystem fs = new SimFileSystem();
    FileLogStore store = SimStores.open(fs, OPTIONS);
    List<LogEntry> batch = entries(1, 3, 1);
    store.append(batch);
    store.close();

    assertThatThrownBy(store::syncInline).isInstanceOf(IOException.class)
        .hasMessageContaining("closed");
  }
}
