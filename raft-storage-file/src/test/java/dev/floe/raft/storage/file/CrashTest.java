package dev.floe.raft.storage.file;

import static dev.floe.raft.storage.file.TestLogs.all;
import static dev.floe.raft.storage.file.TestLogs.await;
import static dev.floe.raft.storage.file.TestLogs.entries;
import static dev.floe.raft.storage.file.TestLogs.entry;
import static dev.floe.raft.storage.file.TestLogs.open;
import static dev.floe.raft.storage.file.TestLogs.settle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.TermAndVote;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes simulated by {@link SimulatedDisk}: only what was forced (files) and directory-synced
 * (names) survives, plus optionally a torn piece of unsynced appends. After each crash the
 * directory is reopened with the real file system.
 */
class CrashTest {
  private static final FileLogStoreOptions OPTIONS = TestLogs.SMALL_SEGMENTS;

  @TempDir Path temp;
  private int runs;

  /** An operation on a store whose durable outcome a test checks after a crash. */
  private interface Step {
    CompletableFuture<Void> run(FileLogStore store) throws IOException;
  }

  /**
   * Runs {@code setup} (synced, no crash), then {@code step} with a crash at its {@code k}-th
   * force or directory sync, for k = 0, 1, ... until the step completes without crashing. Returns
   * for each k the reopened store's entries and whether the step's sync had completed.
   */
  private List<Outcome> crashAtEveryStep(Step setup, Step step, int tearBytes) throws Exception {
    List<Outcome> outcomes = new ArrayList<>();
    for (int k = 0; ; k++) {
      Path dir = temp.resolve("crash-" + runs++ + "-" + tearBytes + "-" + k);
      SimulatedDisk disk = new SimulatedDisk();
      FileLogStore store = open(dir, OPTIONS, disk);
      await(setup.run(store));
      disk.crashAfterDurabilityEvents(k);
      boolean synced;
      try {
        synced = settle(step.run(store));
      } catch (IOException e) {
        synced = false;
      }
      boolean crashed = disk.crashed();
      disk.crash();
      store.close();
      disk.restoreAfterCrash(tearBytes);
      try (FileLogStore reopened = open(dir)) {
        outcomes.add(new Outcome(k, synced, all(reopened), reopened.firstIndex(),
            reopened.termAndVote()));
      }
      if (!crashed) {
        assertThat(synced).isTrue();
        return outcomes;
      }
    }
  }

  private record Outcome(
      int crashPoint, boolean synced, List<LogEntry> entries, long firstIndex, TermAndVote vote) {}

  private static List<LogEntry> concat(List<LogEntry> a, List<LogEntry> b) {
    List<LogEntry> result = new ArrayList<>(a);
    result.addAll(b);
    return result;
  }

  @Test
  void aCrashThatDropsOrTearsUnsyncedWritesNeverLosesASyncedEntry() throws Exception {
    for (int tear : new int[] {0, 3, 40, 1 << 20}) {
      for (int k = 0; k < 40; k += 3) {
        Path dir = temp.resolve("drop-" + tear + "-" + k);
        SimulatedDisk disk = new SimulatedDisk();
        FileLogStore store = open(dir, OPTIONS, disk);
        disk.crashAfterDurabilityEvents(k);
        List<CompletableFuture<Void>> syncs = new ArrayList<>();
        List<Long> coveredIndex = new ArrayList<>();
        List<Long> coveredTerm = new ArrayList<>();
        long term = 1;
        try {
          store.saveTermAndVote(new TermAndVote(term, null));
          for (long i = 1; i <= 60; i++) {
            if (i % 20 == 0) {
              term++;
              store.saveTermAndVote(new TermAndVote(term, null));
            }
            store.append(List.of(entry(i, term)));
            if (i % 4 == 0) {
              syncs.add(store.sync());
              coveredIndex.add(i);
              coveredTerm.add(term);
            }
          }
        } catch (IOException e) {
          // the crash made the store fail; what was acknowledged so far must survive
        }
        long acknowledged = 0;
        long acknowledgedTerm = 0;
        for (int s = 0; s < syncs.size(); s++) {
          if (settle(syncs.get(s))) {
            acknowledged = coveredIndex.get(s);
            acknowledgedTerm = coveredTerm.get(s);
          }
        }
        disk.crash();
        store.close();
        disk.restoreAfterCrash(tear);

        try (FileLogStore reopened = open(dir)) {
          List<LogEntry> log = all(reopened);
          assertThat(reopened.lastIndex())
              .as("tear %d, crash point %d", tear, k)
              .isGreaterThanOrEqualTo(acknowledged);
          assertThat(reopened.termAndVote().term()).isGreaterThanOrEqualTo(acknowledgedTerm);
          for (LogEntry entry : log) {
            assertThat(entry).isEqualTo(entry(entry.index(), entry.term()));
            // a prefix of the writes: no entry is newer than the term saved before it
            assertThat(entry.term()).isLessThanOrEqualTo(reopened.termAndVote().term());
          }
        }
      }
    }
  }

  @Test
  void suffixTruncationSurvivesACrashAtEachStepAsBeforeOrAfter() throws Exception {
    List<LogEntry> before = entries(1, 60, 1);
    for (int tear : new int[] {0, 1 << 20}) {
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
              tear);
      assertThat(outcomes).hasSizeGreaterThan(4);
      for (Outcome outcome : outcomes) {
        List<LogEntry> log = outcome.entries();
        if (outcome.synced()) {
          assertThat(log).containsExactlyElementsOf(concat(entries(1, 24, 1), entries(25, 30, 2)));
        } else if (!log.equals(before)) {
          // after the truncation, with a prefix of the appends that followed it
          assertThat(log).as("crash point %d", outcome.crashPoint()).hasSizeBetween(24, 30);
          assertThat(log)
              .containsExactlyElementsOf(
                  concat(entries(1, 24, 1), entries(25, log.size(), 2)));
        }
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
            0);
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
            0);
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
              0);
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
    TermAndVote vote = new TermAndVote(9, dev.floe.raft.NodeId.of("n3"));
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
            0);
    for (Outcome outcome : outcomes) {
      assertThat(outcome.vote()).isIn(new TermAndVote(8, null), vote);
      if (outcome.synced()) {
        assertThat(outcome.vote()).isEqualTo(vote);
      }
    }
  }

  @Test
  void aFullDiskFailsTheSyncAndEveryLaterWriteNamesTheCause() throws Exception {
    Path dir = temp.resolve("full");
    SimulatedDisk disk = new SimulatedDisk();
    FileLogStore store = open(dir, OPTIONS, disk);
    store.append(entries(1, 5, 1));
    await(store.sync());

    disk.fill();
    store.append(List.of(entry(6, 1)));
    CompletableFuture<Void> sync = store.sync();

    assertThatThrownBy(sync::get)
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IOException.class)
        .hasMessageContaining("No space left on device")
        .hasMessageContaining(dir.toAbsolutePath().toString());
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

    try (FileLogStore reopened = open(dir)) {
      assertThat(all(reopened)).startsWith(entries(1, 5, 1).toArray(LogEntry[]::new));
    }
  }

  @Test
  void aFullDiskWhileSavingTheVoteNeverReportsItDurable() throws Exception {
    Path dir = temp.resolve("full-meta");
    SimulatedDisk disk = new SimulatedDisk();
    try (FileLogStore store = open(dir, OPTIONS, disk)) {
      disk.fill();
      store.saveTermAndVote(new TermAndVote(5, null));
      assertThatThrownBy(() -> store.sync().get())
          .cause()
          .hasMessageContaining("No space left on device");
      assertThat(store.sync()).isCompletedExceptionally();
    }
  }
}
