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
import static dev.floe.raft.storage.file.TestLogs.settle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.TermAndVote;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Power losses on a {@link SimFileSystem}: a crash keeps what was durable plus any subset of the
 * pages written since each file's last force (a later page without an earlier one included),
 * either size, and a prefix of the unsynced directory changes. Every structural change is crashed
 * at each of its forces and directory syncs in turn, under several such choices.
 */
class CrashTest {
  private static final FileLogStoreOptions OPTIONS = TestLogs.SMALL_SEGMENTS;
  /** What each crash keeps: nothing unsynced, everything written, and random choices. */
  private static final int RANDOM_PLANS = 6;

  /** An operation on a store whose durable outcome a test checks after a crash. */
  private interface Step {
    CompletableFuture<Void> run(FileLogStore store) throws IOException;
  }

  private record Outcome(
      int crashPoint, boolean synced, List<LogEntry> entries, long firstIndex, TermAndVote vote) {}

  private static List<CrashPlan> plans(long seed) {
    List<CrashPlan> plans = new ArrayList<>(List.of(CrashPlan.keepNothing(),
        CrashPlan.keepEverything()));
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < RANDOM_PLANS; i++) {
      plans.add(CrashPlan.random(random.split()));
    }
    return plans;
  }

  /**
   * Runs {@code setup} (synced, no crash), then {@code step} with a power failure at its {@code
   * k}-th force or directory sync, for k = 0, 1, ... until the step completes without one, under
   * every plan. Returns for each run the reopened store's state and whether the step's sync
   * completed.
   */
  private static List<Outcome> crashAtEveryStep(Step setup, Step step, FileLogStoreOptions options)
      throws Exception {
    List<Outcome> outcomes = new ArrayList<>();
    for (CrashPlan plan : plans(42)) {
      for (int k = 0; ; k++) {
        SimFileSystem fs = new SimFileSystem();
        FileLogStore store = SimStores.open(fs, options);
        await(setup.run(store));
        fs.failAtDurabilityEvent(k);
        boolean synced;
        try {
          synced = settle(step.run(store));
        } catch (IOException e) {
          synced = false;
        }
        boolean failed = fs.powerFailed();
        store.close();
        fs.crash(plan);
        try (FileLogStore reopened = SimStores.open(fs, options)) {
          outcomes.add(new Outcome(k, synced, all(reopened), reopened.firstIndex(),
              reopened.termAndVote()));
        }
        if (!failed) {
          assertThat(synced).isTrue();
          break;
        }
      }
    }
    return outcomes;
  }

  private static List<LogEntry> concat(List<LogEntry> a, List<LogEntry> b) {
    List<LogEntry> result = new ArrayList<>(a);
    result.addAll(b);
    return result;
  }

  @Test
  void aCrashThatKeepsAnySubsetOfUnsyncedPagesNeverLosesASyncedEntry() throws Exception {
    int reordered = 0;
    for (long seed = 1; seed <= 120; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      SimFileSystem fs = new SimFileSystem();
      FileLogStore store = SimStores.open(fs, SimStores.PAGED);
      fs.failAtDurabilityEvent(random.nextInt(40));
      long acknowledged = 0;
      long acknowledgedTerm = 0;
      List<CompletableFuture<Void>> syncs = new ArrayList<>();
      List<long[]> covered = new ArrayList<>();
      try {
        long term = 1;
        store.saveTermAndVote(new TermAndVote(term, null));
        long next = 1;
        while (next <= 900) {
          if (random.nextInt(8) == 0) {
            store.saveTermAndVote(new TermAndVote(++term, null));
          }
          int batch = 1 + random.nextInt(60);
          store.append(entries(next, next + batch - 1, term));
          next += batch;
          syncs.add(store.sync());
          covered.add(new long[] {next - 1, term});
        }
      } catch (IOException e) {
        // the power failed and the store with it; what was acknowledged so far must survive
      }
      for (int s = 0; s < syncs.size(); s++) {
        if (settle(syncs.get(s))) {
          acknowledged = covered.get(s)[0];
          acknowledgedTerm = covered.get(s)[1];
        }
      }
      store.close();
      reordered += fs.crash(CrashPlan.random(random)) ? 1 : 0;

      try (FileLogStore reopened = SimStores.open(fs, SimStores.PAGED)) {
        assertThat(reopened.lastIndex()).as("seed %d", seed).isGreaterThanOrEqualTo(acknowledged);
        assertThat(reopened.termAndVote().term()).isGreaterThanOrEqualTo(acknowledgedTerm);
        for (LogEntry entry : all(reopened)) {
          assertThat(entry).isEqualTo(entry(entry.index(), entry.term()));
          // no entry is newer than the term saved before it was written
          assertThat(entry.term()).isLessThanOrEqualTo(reopened.termAndVote().term());
        }
      }
    }
    assertThat(reordered).as("crashes that kept a later page without an earlier one").isPositive();
  }

  @Test
  void aLaterPageOfAnUnsyncedBatchOnDiskWithoutAnEarlierOneIsCutAndEverySyncedEntryIsIntact()
      throws Exception {
    SimFileSystem fs = new SimFileSystem();
    ManualExecutor disk = new ManualExecutor();
    FileLogStore store = SimStores.open(fs, SimStores.PAGED, disk);
    store.append(entries(1, 20, 1));
    CompletableFuture<Void> synced = store.sync();
    disk.runAll();
    assertThat(synced).isCompleted();
    store.append(entries(21, 300, 1)); // about 20 KiB: written, never forced
    disk.runAll();
    int firstUnsyncedPage = (int) (syncedEnd(entries(1, 20, 1)) / SimInode.PAGE_BYTES);

    boolean reordered = fs.crash(CrashPlan.pages(
        (file, page) -> page > firstUnsyncedPage, true, true));

    assertThat(reordered).isTrue();
    try (FileLogStore reopened = SimStores.open(fs, SimStores.PAGED)) {
      assertThat(all(reopened)).containsExactlyElementsOf(entries(1, 20, 1));
      reopened.append(entries(21, 30, 2));
      await(reopened.sync());
    }
    try (FileLogStore reopened = SimStores.open(fs, SimStores.PAGED)) {
      assertThat(all(reopened)).containsExactlyElementsOf(
          concat(entries(1, 20, 1), entries(21, 30, 2)));
    }
  }

  @Test
  void aSecondUnsyncedPageLostBetweenKeptOnesCutsTheTailAtTheFirstTornRecord() throws Exception {
    SimFileSystem fs = new SimFileSystem();
    ManualExecutor disk = new ManualExecutor();
    FileLogStore store = SimStores.open(fs, SimStores.PAGED, disk);
    store.append(entries(1, 20, 1));
    CompletableFuture<Void> synced = store.sync();
    disk.runAll();
    store.append(entries(21, 300, 1));
    disk.runAll();
    int lost = (int) (syncedEnd(entries(1, 20, 1)) / SimInode.PAGE_BYTES) + 1;

    assertThat(fs.crash(CrashPlan.pages((file, page) -> page != lost, true, true))).isTrue();

    try (FileLogStore reopened = SimStores.open(fs, SimStores.PAGED)) {
      List<LogEntry> log = all(reopened);
      assertThat(synced).isCompleted();
      assertThat(log.size()).isBetween(20, 299);
      assertThat(log).containsExactlyElementsOf(entries(1, log.size(), 1));
    }
  }

  @Test
  void aBitFlipInsideSyncedRecordsIsStillRefusedWithFileAndOffsetBesideAReorderedTail()
      throws Exception {
    SimFileSystem fs = new SimFileSystem();
    ManualExecutor disk = new ManualExecutor();
    FileLogStore store = SimStores.open(fs, SimStores.PAGED, disk);
    store.append(entries(1, 20, 1));
    store.sync();
    disk.runAll();
    store.append(entries(21, 40, 1));
    store.sync();
    disk.runAll();
    store.append(entries(41, 300, 1)); // unsynced, across pages
    disk.runAll();
    long recordStart = syncedEnd(entries(1, 9, 1));
    fs.flipDurably(SimStores.segment(1), recordStart + SegmentFormat.PAYLOAD_OFFSET + 2);
    int firstUnsyncedPage = (int) (syncedEnd(entries(1, 40, 1)) / SimInode.PAGE_BYTES);

    assertThat(fs.crash(CrashPlan.pages((file, page) -> page > firstUnsyncedPage, true, true)))
        .isTrue();

    assertThatThrownBy(() -> SimStores.open(fs, SimStores.PAGED))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining(SimStores.segment(1).toString())
        .hasMessageContaining("offset " + recordStart)
        .satisfies(e -> assertThat(((CorruptLogException) e).offset()).isEqualTo(recordStart));
  }

  /** The offset where the records of {@code entries}, written from the start of a segment, end. */
  private static long syncedEnd(List<LogEntry> entries) {
    long end = SegmentFormat.HEADER_SIZE;
    for (LogEntry entry : entries) {
      end += SegmentFormat.recordSize(entry);
    }
    return end;
  }

  @Test
  void suffixTruncationSurvivesACrashAtEachStepAsBeforeOrAfter() throws Exception {
    List<LogEntry> before = entries(1, 60, 1);
    List<Outcome> outcomes =
        crashAtEveryStep(
            store -> {
              store.append(before);
              return store.sync();
            },
            store -> {
              store.truncateSuffix(25);
              store.append(entries(25, 30, 2));
              return store.sync();
            },
            OPTIONS);
    assertThat(outcomes).hasSizeGreaterThan(4 * RANDOM_PLANS);
    for (Outcome outcome : outcomes) {
      List<LogEntry> log = outcome.entries();
      if (outcome.synced()) {
        assertThat(log).containsExactlyElementsOf(concat(entries(1, 24, 1), entries(25, 30, 2)));
      } else if (!log.equals(before)) {
        // after the truncation, with a prefix of the appends that followed it
        assertThat(log).as("crash point %d", outcome.crashPoint()).hasSizeBetween(24, 30);
        assertThat(log)
            .containsExactlyElementsOf(concat(entries(1, 24, 1), entries(25, log.size(), 2)));
      }
    }
  }

  @Test
  void truncationOfAWholeSegmentSurvivesACrashAtEachStep() throws Exception {
    List<LogEntry> before = entries(1, 60, 1);
    List<Outcome> outcomes =
        crashAtEveryStep(
            store -> {
              store.append(before);
              return store.sync();
            },
            store -> {
              store.truncateSuffix(1);
              store.append(entries(1, 2, 2));
              return store.sync();
            },
            OPTIONS);
    for (Outcome outcome : outcomes) {
      List<LogEntry> log = outcome.entries();
      if (!log.equals(before)) {
        assertThat(log).as("crash point %d", outcome.crashPoint()).hasSizeLessThanOrEqualTo(2);
        assertThat(log).containsExactlyElementsOf(entries(1, log.size(), 2));
      }
    }
    assertThat(outcomes.get(outcomes.size() - 1).entries()).isEqualTo(entries(1, 2, 2));
  }

  @Test
  void prefixCompactionSurvivesACrashAtEachStepAsBeforeOrAfter() throws Exception {
    List<LogEntry> before = entries(1, 60, 1);
    List<Outcome> outcomes =
        crashAtEveryStep(
            store -> {
              store.append(before);
              return store.sync();
            },
            store -> {
              store.compactPrefix(40);
              return store.sync();
            },
            OPTIONS);
    long after = outcomes.get(outcomes.size() - 1).firstIndex();
    assertThat(after).isBetween(2L, 41L);
    for (Outcome outcome : outcomes) {
      assertThat(outcome.firstIndex()).as("crash point %d", outcome.crashPoint()).isIn(1L, after);
      assertThat(outcome.entries()).containsExactlyElementsOf(entries(outcome.firstIndex(), 60, 1));
    }
  }

  @Test
  void resetSurvivesACrashAtEachStepAsBeforeOrAfter() throws Exception {
    List<LogEntry> before = entries(1, 60, 1);
    for (long next : new long[] {100, 21}) {
      List<Outcome> outcomes =
          crashAtEveryStep(
              store -> {
                store.append(before);
                return store.sync();
              },
              store -> {
                store.reset(next);
                store.append(entries(next, next + 5, 3));
                return store.sync();
              },
              OPTIONS);
      for (Outcome outcome : outcomes) {
        List<LogEntry> log = outcome.entries();
        if (log.equals(before) && outcome.firstIndex() == 1) {
          continue;
        }
        assertThat(outcome.firstIndex()).as("crash point %d", outcome.crashPoint()).isEqualTo(next);
        assertThat(log).containsExactlyElementsOf(entries(next, next + log.size() - 1, 3));
      }
      Outcome last = outcomes.get(outcomes.size() - 1);
      assertThat(last.entries()).containsExactlyElementsOf(entries(next, next + 5, 3));
    }
  }

  @Test
  void termAndVoteSurviveACrashAtEachStepAsBeforeOrAfter() throws Exception {
    TermAndVote vote = new TermAndVote(9, NodeId.of("n3"));
    List<Outcome> outcomes =
        crashAtEveryStep(
            store -> {
              store.saveTermAndVote(new TermAndVote(8, null));
              return store.sync();
            },
            store -> {
              store.saveTermAndVote(vote);
              return store.sync();
            },
            OPTIONS);
    for (Outcome outcome : outcomes) {
      assertThat(outcome.vote()).isIn(new TermAndVote(8, null), vote);
      if (outcome.synced()) {
        assertThat(outcome.vote()).isEqualTo(vote);
      }
    }
  }

  @Test
  void aCrashWhileTheFirstIdentityIsSavedLeavesANewDirectoryOrAnIdentifiedOne() throws Exception {
    boolean sawNew = false;
    boolean sawIdentified = false;
    for (CrashPlan plan : plans(7)) {
      for (int k = 0; ; k++) {
        SimFileSystem fs = new SimFileSystem();
        FileLogStore store = new FileLogStore(SimStores.DIR, OPTIONS,
            SimStores.environment(fs, null));
        store.open();
        fs.failAtDurabilityEvent(k);
        store.saveIdentity(TestLogs.IDENTITY);
        boolean synced = settle(store.sync());
        boolean failed = fs.powerFailed();
        store.close();
        fs.crash(plan);
        FileLogStore reopened = new FileLogStore(SimStores.DIR, OPTIONS,
            SimStores.environment(fs, null));
        reopened.open();
        try (reopened) {
          if (synced) {
            assertThat(reopened.identity()).contains(TestLogs.IDENTITY);
          }
          assertThat(reopened.identity()).isIn(java.util.Optional.empty(),
              java.util.Optional.of(TestLogs.IDENTITY));
          sawNew |= reopened.identity().isEmpty();
          sawIdentified |= reopened.identity().isPresent();
          if (reopened.identity().isEmpty()) {
            reopened.saveIdentity(TestLogs.IDENTITY); // a new directory, as good as any
            reopened.saveTermAndVote(new TermAndVote(1, null));
            await(reopened.sync());
          }
        }
        if (!failed) {
          break;
        }
      }
    }
    assertThat(sawNew).isTrue();
    assertThat(sawIdentified).isTrue();
  }

  @Test
  void aFullDiskFailsTheSyncAndEveryLaterWriteNamesTheCause() throws Exception {
    SimFileSystem fs = new SimFileSystem();
    FileLogStore store = SimStores.open(fs, OPTIONS);
    store.append(entries(1, 5, 1));
    await(store.sync());

    fs.fill();
    store.append(List.of(entry(6, 1)));
    CompletableFuture<Void> sync = store.sync();

    assertThatThrownBy(sync::get)
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IOException.class)
        .hasMessageContaining("No space left on device")
        .hasMessageContaining(SimStores.DIR.toString());
    assertThatThrownBy(() -> store.append(List.of(entry(7, 1))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("No space left on device");
    assertThatThrownBy(() -> store.saveTermAndVote(new TermAndVote(2, null)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("No space left on device");
    assertThatThrownBy(() -> store.sync().get())
        .cause()
        .hasMessageContaining("No space left on device");
    store.close();
    fs.crash(CrashPlan.keepNothing());

    try (FileLogStore reopened = SimStores.open(fs, OPTIONS)) {
      assertThat(all(reopened)).containsExactlyElementsOf(entries(1, 5, 1));
    }
  }

  @Test
  void aFullDiskWhileSavingTheVoteNeverReportsItDurable() throws Exception {
    SimFileSystem fs = new SimFileSystem();
    try (FileLogStore store = SimStores.open(fs, OPTIONS)) {
      await(store.sync());
      fs.fill();
      store.saveTermAndVote(new TermAndVote(5, null));
      assertThatThrownBy(() -> store.sync().get())
          .cause()
          .hasMessageContaining("No space left on device");
      assertThat(store.sync()).isCompletedExceptionally();
    }
  }
}
