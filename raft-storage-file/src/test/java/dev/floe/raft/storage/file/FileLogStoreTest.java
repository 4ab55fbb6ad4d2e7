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
import static dev.floe.raft.storage.file.TestLogs.await;
import static dev.floe.raft.storage.file.TestLogs.entries;
import static dev.floe.raft.storage.file.TestLogs.entry;
import static dev.floe.raft.storage.file.TestLogs.open;
import static dev.floe.raft.storage.file.TestLogs.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.TermAndVote;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLogStoreTest {
  @TempDir Path dir;

  @Test
  void newStoreIsEmptyAtIndexOneWithInitialTermAndVote() throws Exception {
    try (FileLogStore store = open(dir)) {
      assertThat(store.firstIndex()).isEqualTo(1);
      assertThat(store.lastIndex()).isZero();
      assertThat(store.termAndVote()).isEqualTo(TermAndVote.INITIAL);
      assertThat(store.entries(1, 1, 100)).isEmpty();
    }
  }

  @Test
  void reopenAfterCleanCloseReturnsEveryEntryTermAndVote() throws Exception {
    TermAndVote vote = new TermAndVote(3, NodeId.of("n2"));
    try (FileLogStore store = open(dir)) {
      store.append(entries(1, 50, 2));
      store.append(entries(51, 100, 3));
      store.saveTermAndVote(vote);
    }
    assertThat(segments(dir)).hasSizeGreaterThan(3);
    try (FileLogStore store = open(dir)) {
      assertThat(store.termAndVote()).isEqualTo(vote);
      assertThat(store.firstIndex()).isEqualTo(1);
      assertThat(store.lastIndex()).isEqualTo(100);
      assertThat(store.term(50)).isEqualTo(2);
      assertThat(store.term(51)).isEqualTo(3);
      List<LogEntry> expected = new ArrayList<>(entries(1, 50, 2));
      expected.addAll(entries(51, 100, 3));
      assertThat(all(store)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void readsSeeAppendsBeforeTheyAreSynced() throws Exception {
    try (FileLogStore store = open(dir)) {
      store.append(entries(1, 10, 1));
      assertThat(store.lastIndex()).isEqualTo(10);
      assertThat(store.term(10)).isEqualTo(1);
      assertThat(store.entries(3, 6, Long.MAX_VALUE)).containsExactlyElementsOf(entries(3, 5, 1));
    }
  }

  @Test
  void entriesStopOnceTheByteBudgetIsExceededButReturnAtLeastOne() throws Exception {
    try (FileLogStore store = open(dir)) {
      store.append(entries(1, 10, 1));
      await(store.sync());
      long firstTwo = entry(1, 1).sizeInBytes() + entry(2, 1).sizeInBytes();
      assertThat(store.entries(1, 11, firstTwo)).containsExactlyElementsOf(entries(1, 2, 1));
      assertThat(store.entries(1, 11, 1)).containsExactly(entry(1, 1));
    }
  }

  @Test
  void rejectsReadsOutsideTheLogAndAppendsThatDoNotFollowIt() throws Exception {
    try (FileLogStore store = open(dir)) {
      store.append(entries(1, 5, 1));
      assertThatThrownBy(() -> store.term(6)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> store.entries(2, 7, 100))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> store.append(List.of(entry(7, 1))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected index 6");
      assertThat(store.lastIndex()).isEqualTo(5);
    }
  }

  @Test
  void syncFuturesCompleteInCallOrder() throws Exception {
    try (FileLogStore store = open(dir)) {
      List<Integer> completed = Collections.synchronizedList(new ArrayList<>());
      List<CompletableFuture<Void>> syncs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        store.append(List.of(entry(i + 1, 1)));
        int n = i;
        syncs.add(store.sync().thenRun(() -> completed.add(n)));
      }
      await(CompletableFuture.allOf(syncs.toArray(CompletableFuture[]::new)));
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        expected.add(i);
      }
      assertThat(completed).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void syncsWaitingDuringAForceShareTheNextForce() throws Exception {
    SimFileSystem disk = new SimFileSystem();
    try (FileLogStore store = SimStores.open(disk, FileLogStoreOptions.DEFAULTS)) {
      store.append(List.of(entry(1, 1)));
      await(store.sync());
      int forcesBefore = disk.forces();
      CountDownLatch gate = disk.holdForces();
      store.append(List.of(entry(2, 1)));
      CompletableFuture<Void> first = store.sync(); // its force waits at the gate
      List<CompletableFuture<Void>> queued = new ArrayList<>();
      for (long i = 3; i <= 52; i++) {
        store.append(List.of(entry(i, 1)));
        queued.add(store.sync());
      }
      gate.countDown();
      await(first);
      await(CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)));
      // One force for the first sync, then one for all 50 that queued up behind it.
      assertThat(disk.forces() - forcesBefore).isLessThanOrEqualTo(2);
    }
  }

  @Test
  void aLoneSyncIsNotHeldBackByTheDelayOrByteTriggers() throws Exception {
    FileLogStoreOptions patient =
        FileLogStoreOptions.DEFAULTS.withGroupCommit(Long.MAX_VALUE, 3_600_000_000L);
    try (FileLogStore store = open(dir, patient, StorageIo.REAL)) {
      store.append(List.of(entry(1, 1)));
      await(store.sync()); // would hang for an hour if the lone write waited for a trigger
    }
  }

  @Test
  void truncateSuffixRemovesEntriesAcrossSegmentsAndTheLogContinuesFromThere() throws Exception {
    try (FileLogStore store = open(dir)) {
      store.append(entries(1, 60, 1));
      await(store.sync());
      int segmentsBefore = segments(dir).size();
      store.truncateSuffix(20);
      assertThat(store.lastIndex()).isEqualTo(19);
      store.append(entries(20, 25, 2));
      await(store.sync());
      assertThat(segments(dir).size()).isLessThan(segmentsBefore);
    }
    try (FileLogStore store = open(dir)) {
      List<LogEntry> expected = new ArrayList<>(entries(1, 19, 1));
      expected.addAll(entries(20, 25, 2));
      assertThat(all(store)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void truncateSuffixOfEntriesNotYetSyncedAndTheirReplacementReadBack() throws Exception {
    try (FileLogStore store = open(dir)) {
      store.append(entries(1, 10, 1));
      store.truncateSuffix(5);
      store.append(entries(5, 8, 2));
      assertThat(store.entries(1, 9, Long.MAX_VALUE)).contains(entry(5, 2)).doesNotContain(entry(5, 1));
      await(store.sync());
      assertThat(store.entries(5, 9, Long.MAX_VALUE)).containsExactlyElementsOf(entries(5, 8, 2));
    }
    try (FileLogStore store = open(dir)) {
      assertThat(store.lastIndex()).isEqualTo(8);
      assertThat(store.entries(5, 9, Long.MAX_VALUE)).containsExactlyElementsOf(entries(5, 8, 2));
    }
  }

  @Test
  void compactPrefixRemovesWholeSegmentsAndKeepsTheOneHoldingTheNextIndex() throws Exception {
    try (FileLogStore store = open(dir)) {
      store.append(entries(1, 100, 1));
      await(store.sync());
      store.compactPrefix(50);
      assertThat(store.firstIndex()).isBetween(2L, 51L);
      assertThat(store.term(51)).isEqualTo(1);
      assertThat(all(store)).containsExactlyElementsOf(entries(store.firstIndex(), 100, 1));
      await(store.sync());
    }
    try (FileLogStore store = open(dir)) {
      assertThat(store.firstIndex()).isBetween(2L, 51L);
      assertThat(store.lastIndex()).isEqualTo(100);
      assertThat(all(store)).containsExactlyElementsOf(entries(store.firstIndex(), 100, 1));
      assertThat(segments(dir).get(0).getFileName().toString())
          .isEqualTo(SegmentFormat.fileName(store.firstIndex()));
    }
  }

  @Test
  void compactPrefixOfTheWholeLogKeepsTheLastSegment() throws Exception {
    try (FileLogStore store = open(dir)) {
      store.append(entries(1, 100, 1));
      store.compactPrefix(100);
      store.append(List.of(entry(101, 1)));
      await(store.sync());
    }
    try (FileLogStore store = open(dir)) {
      assertThat(store.lastIndex()).isEqualTo(101);
      assertThat(store.term(100)).isEqualTo(1);
    }
  }

  @Test
  void resetDiscardsEveryEntryAndTheLogRestartsAtTheGivenIndex() throws Exception {
    try (FileLogStore store = open(dir)) {
      store.append(entries(1, 40, 1));
      store.reset(1000);
      assertThat(store.firstIndex()).isEqualTo(1000);
      assertThat(store.lastIndex()).isEqualTo(999);
      await(store.sync());
    }
    try (FileLogStore store = open(dir)) {
      assertThat(store.firstIndex()).isEqualTo(1000);
      assertThat(store.lastIndex()).isEqualTo(999);
      store.append(entries(1000, 1010, 4));
    }
    try (FileLogStore store = open(dir)) {
      assertThat(all(store)).containsExactlyElementsOf(entries(1000, 1010, 4));
    }
  }

  @Test
  void resetToAnIndexInsideTheOldLogDoesNotResurrectOldEntries() throws Exception {
    try (FileLogStore store = open(dir)) {
      store.append(entries(1, 40, 1));
      store.reset(5); // segment 00..05.seg may have existed in the old log
      store.append(entries(5, 6, 3));
      await(store.sync());
    }
    try (FileLogStore store = open(dir)) {
      assertThat(all(store)).containsExactlyElementsOf(entries(5, 6, 3));
    }
  }

  @Test
  void aSecondOpenOfTheSameDirectoryFailsNamingIt() throws Exception {
    try (FileLogStore first = open(dir)) {
      FileLogStore second = new FileLogStore(dir, TestLogs.SMALL_SEGMENTS);
      assertThatThrownBy(second::open)
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining(dir.toAbsolutePath().toString())
          .hasMessageContaining("already in use");
      first.append(entries(1, 3, 1));
    }
    try (FileLogStore again = open(dir)) {
      assertThat(again.lastIndex()).isEqualTo(3);
    }
  }

  @Test
  void writesAfterCloseFailAndCloseIsIdempotent() throws Exception {
    FileLogStore store = open(dir);
    store.close();
    store.close();
    assertThatThrownBy(() -> store.append(List.of(entry(1, 1))))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("closed");
    assertThat(store.sync()).isCompletedExceptionally();
  }

  @Test
  void readersOnOtherThreadsSeeConsistentEntriesWhileAppendsContinue() throws Exception {
    int total = 3000;
    try (FileLogStore store = open(dir)) {
      store.append(List.of(entry(1, 1)));
      CountDownLatch done = new CountDownLatch(1);
      List<CompletableFuture<Integer>> readers = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        readers.add(
            CompletableFuture.supplyAsync(
                () -> {
                  int reads = 0;
                  while (done.getCount() > 0 || reads == 0) {
                    long last = store.lastIndex();
                    long from = Math.max(1, last - 40);
                    List<LogEntry> read = store.entries(from, last + 1, Long.MAX_VALUE);
                    assertThat(read).containsExactlyElementsOf(entries(from, last, 1));
                    assertThat(store.term(last)).isEqualTo(1);
                    reads++;
                  }
                  return reads;
                }));
      }
      for (long i = 2; i <= total; i++) {
        store.append(List.of(entry(i, 1)));
        if (i % 50 == 0) {
          store.sync();
        }
      }
      await(store.sync());
      done.countDown();
      for (CompletableFuture<Integer> reader : readers) {
        assertThat(reader.get()).isPositive();
      }
      assertThat(all(store)).containsExactlyElementsOf(entries(1, total, 1));
    }
  }

  @Test
  void aLargeEntryGetsASegmentOfItsOwn() throws Exception {
    LogEntry big = LogEntry.command(2, 1, new byte[5000]);
    try (FileLogStore store = open(dir)) {
      store.append(List.of(entry(1, 1), big, entry(3, 1)));
    }
    try (FileLogStore store = open(dir)) {
      assertThat(all(store)).containsExactly(entry(1, 1), big, entry(3, 1));
      assertThat(segments(dir)).hasSize(3);
    }
  }

  @Test
  void metaSurvivesWithNoLogWritten() throws Exception {
    try (FileLogStore store = open(dir)) {
      store.saveTermAndVote(new TermAndVote(7, null));
      await(store.sync());
    }
    assertThat(Files.exists(dir.resolve(MetaFile.TEMP_NAME))).isFalse();
    try (FileLogStore store = open(dir)) {
      assertThat(store.termAndVote()).isEqualTo(new TermAndVote(7, null));
    }
  }
}
