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
package dev.floe.raft.internal.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.LogEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The log keeps only a tail in memory when it has a reader: applied entries beyond the byte budget
 * are dropped from memory and read back, and the log answers every question about them as before.
 */
class RaftLogTailTest {
  /** Each entry's payload is 100 bytes, so each takes {@code 100 + overhead} bytes. */
  private static final int PAYLOAD = 100;

  /** A store in memory that counts the reads it serves. */
  private static final class Store implements EntryReader {
    final List<LogEntry> entries = new ArrayList<>();
    int reads;

    @Override
    public List<LogEntry> read(long from, long toExclusive, long maxBytes) {
      reads++;
      List<LogEntry> out = new ArrayList<>();
      long bytes = 0;
      for (long i = from; i < toExclusive; i++) {
        LogEntry e = entries.get((int) (i - 1));
        if (!out.isEmpty() && bytes + e.sizeInBytes() > maxBytes) {
          break;
        }
        bytes += e.sizeInBytes();
        out.add(e);
      }
      return out;
    }

    /** Hands the log's unstable entries to this store, as the driver does. */
    void take(RaftLog log) {
      entries.addAll(log.takeUnstable());
    }
  }

  private static LogEntry entry(long index, long term) {
    return LogEntry.command(index, term, new byte[PAYLOAD]);
  }

  private static long size() {
    return entry(1, 1).sizeInBytes();
  }

  /** A log over {@code store} with a budget of {@code keep} entries, holding entries of {@code terms}. */
  private static RaftLog logOf(Store store, int keep, long... terms) {
    RaftLog log = new RaftLog(0, 0, Configuration.ofVoters(List.of(NodeId.of("n1"))), 0, store,
        keep * size());
    for (int i = 0; i < terms.length; i++) {
      log.append(entry(i + 1, terms[i]));
    }
    store.take(log);
    return log;
  }

  @Test
  void appliedEntriesBeyondTheBudgetLeaveMemoryButNotTheLog() {
    Store store = new Store();
    RaftLog log = logOf(store, 3, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3);

    log.trimTail(8, 0);

    assertThat(log.cacheStart()).as("entries 6..8 applied and kept, 9..10 not applied").isEqualTo(6);
    assertThat(log.lastIndex()).isEqualTo(10);
    assertThat(log.term(1)).isEqualTo(1);
    assertThat(log.term(3)).isEqualTo(2);
    assertThat(log.term(5)).isEqualTo(2);
    assertThat(log.term(6)).isEqualTo(3);
    assertThat(log.firstIndexOfTermAt(5)).isEqualTo(3);
    assertThat(log.firstIndexOfTermAt(9)).isEqualTo(6);
    assertThat(log.lastIndexOfTerm(2)).isEqualTo(5);
    assertThat(log.lastIndexOfTerm(1)).isEqualTo(2);
    assertThat(log.lastIndexOfTerm(4)).isEqualTo(-1);
    assertThat(log.bytesAfter(8)).isEqualTo(2 * size());
    assertThat(store.reads).isZero();
  }

  @Test
  void appliedEntriesEveryFollowerHoldsLeaveMemoryWhateverTheBudget() {
    Store store = new Store();
    RaftLog log = logOf(store, 100, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);

    log.trimTail(8, 5);
    assertThat(log.cacheStart()).as("6..8 applied but a follower lacks them").isEqualTo(6);

    log.trimTail(8, 9);
    assertThat(log.cacheStart()).as("never beyond what is applied").isEqualTo(9);

    log.trimTail(10, Long.MAX_VALUE);
    assertThat(log.cacheStart()).as("a node that does not lead keeps no applied entry")
        .isEqualTo(11);
    assertThat(log.slice(7, 100, Long.MAX_VALUE)).extracting(LogEntry::index)
        .containsExactly(7L, 8L, 9L, 10L);
    assertThat(store.reads).isEqualTo(1);
  }

  @Test
  void theBudgetStillBoundsWhatALaggingFollowerMayNeed() {
    Store store = new Store();
    RaftLog log = logOf(store, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);

    log.trimTail(9, 3);

    assertThat(log.cacheStart()).as("a follower at 3 would need 4..9, but 2 are kept")
        .isEqualTo(8);
  }

  @Test
  void aSliceBeforeTheTailIsReadBackAndStopsWhereTheTailStarts() {
    Store store = new Store();
    RaftLog log = logOf(store, 2, 1, 1, 1, 1, 1, 1);
    log.trimTail(6, 0);

    List<LogEntry> slice = log.slice(2, 100, Long.MAX_VALUE);

    assertThat(slice).extracting(LogEntry::index).containsExactly(2L, 3L, 4L);
    assertThat(store.reads).isEqualTo(1);
    assertThat(log.slice(5, 100, Long.MAX_VALUE)).extracting(LogEntry::index)
        .containsExactly(5L, 6L);
    assertThat(store.reads).as("the tail is served from memory").isEqualTo(1);
    assertThat(log.slice(1, 100, size())).as("bounded in bytes").hasSize(1);
  }

  @Test
  void aRangeAcrossTheTailJoinsWhatIsReadBackWithWhatIsHeld() {
    Store store = new Store();
    RaftLog log = logOf(store, 2, 1, 1, 1, 1, 1, 1);
    log.trimTail(6, 0);

    assertThat(log.range(3, 6)).extracting(LogEntry::index).containsExactly(3L, 4L, 5L, 6L);
  }

  @Test
  void noEntryIsDroppedBeforeItIsApplied() {
    Store store = new Store();
    RaftLog log = logOf(store, 0, 1, 1, 1, 1);

    log.trimTail(2, 0);

    assertThat(log.cacheStart()).isEqualTo(3);
    log.trimTail(0, 0);
    assertThat(log.cacheStart()).isEqualTo(3);
  }

  @Test
  void noEntryIsDroppedBeforeItIsHandedToTheStore() {
    Store store = new Store();
    RaftLog log = logOf(store, 0, 1, 1);
    log.append(entry(3, 1));
    log.append(entry(4, 1));

    log.trimTail(4, 0);

    assertThat(log.cacheStart()).as("3 and 4 are not stored yet").isEqualTo(3);
    assertThat(log.takeUnstable()).extracting(LogEntry::index).containsExactly(3L, 4L);
  }

  @Test
  void aRestartedLogReadsItsEntriesOnceAndKeepsOnlyTheBudget() {
    Store store = new Store();
    for (int i = 1; i <= 50; i++) {
      store.entries.add(entry(i, i <= 20 ? 1 : 2));
    }

    RaftLog log = new RaftLog(0, 0, Configuration.empty(), 50, store, 5 * size());

    assertThat(log.lastIndex()).isEqualTo(50);
    assertThat(log.hasUnstable()).isFalse();
    assertThat(log.cacheStart()).isEqualTo(46);
    assertThat(log.term(20)).isEqualTo(1);
    assertThat(log.term(21)).isEqualTo(2);
    assertThat(log.firstIndexOfTermAt(30)).isEqualTo(21);
    assertThat(log.range(1, 50)).extracting(LogEntry::index)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 50).boxed().toList());
  }

  @Test
  void aConflictBeforeTheTailTruncatesTheLogAndTheNewEntriesAreHeld() {
    Store store = new Store();
    for (int i = 1; i <= 10; i++) {
      store.entries.add(entry(i, 1));
    }
    RaftLog log = new RaftLog(0, 0, Configuration.empty(), 10, store, 2 * size());

    long conflict = log.appendFromLeader(5, List.of(entry(6, 2), entry(7, 2)), 5);

    assertThat(conflict).isEqualTo(6);
    assertThat(log.lastIndex()).isEqualTo(7);
    assertThat(log.term(5)).isEqualTo(1);
    assertThat(log.term(6)).isEqualTo(2);
    assertThat(log.cacheStart()).isEqualTo(6);
    assertThat(log.pendingTruncateFrom()).isEqualTo(6);
    assertThat(log.lastIndexOfTerm(1)).isEqualTo(5);
    assertThat(log.bytesAfter(5)).isEqualTo(2 * size());
  }

  @Test
  void compactionThroughDroppedEntriesMovesTheBase() {
    Store store = new Store();
    RaftLog log = logOf(store, 1, 1, 1, 2, 2, 2, 3);
    log.trimTail(6, 0);

    log.compactTo(4);

    assertThat(log.baseIndex()).isEqualTo(4);
    assertThat(log.baseTerm()).isEqualTo(2);
    assertThat(log.term(5)).isEqualTo(2);
    assertThat(log.firstIndexOfTermAt(5)).isEqualTo(5);
    assertThat(log.term(6)).isEqualTo(3);
    assertThat(log.bytesAfter(4)).isEqualTo(2 * size());
    log.compactTo(6);
    assertThat(log.lastIndex()).isEqualTo(6);
    assertThat(log.lastTerm()).isEqualTo(3);
    log.append(entry(7, 3));
    assertThat(log.firstIndexOfTermAt(7)).isEqualTo(7);
  }

  @Test
  void aStoreThatReturnsAnotherHistoryIsRefused() {
    Store store = new Store();
    RaftLog log = logOf(store, 0, 1, 1, 1);
    log.trimTail(3, 0);
    store.entries.set(0, entry(1, 7));

    assertThatThrownBy(() -> log.slice(1, 10, Long.MAX_VALUE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("entry 1 of term 7 where the log holds entry 1 of term 1");
  }

  @Test
  void theEntriesThatFitInABudgetAreFoundFromTheRunningSizes() {
    Store store = new Store();
    RaftLog log = logOf(store, 10, 1, 1, 1, 1, 1);

    assertThat(log.lastIndexWithin(2, 5, 2 * size())).isEqualTo(3);
    assertThat(log.lastIndexWithin(2, 5, size() - 1)).isEqualTo(1);
    assertThat(log.lastIndexWithin(2, 5, Long.MAX_VALUE)).isEqualTo(5);
  }
}
