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
import dev.floe.raft.message.LogEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

class RaftLogTest {

  private static RaftLog log(long... terms) {
    return new RaftLog(0, 0, Configuration.empty(), TestNetwork.entries(terms));
  }

  private static LogEntry entry(long index, long term) {
    return LogEntry.command(index, term, new byte[] {(byte) index});
  }

  @Test
  void termIsKnownFromTheSnapshotPointToTheLastIndex() {
    RaftLog log = new RaftLog(3, 2, Configuration.empty(), List.of(entry(4, 2), entry(5, 3)));

    assertThat(log.firstIndex()).isEqualTo(4);
    assertThat(log.lastIndex()).isEqualTo(5);
    assertThat(log.term(3)).isEqualTo(2);
    assertThat(log.term(5)).isEqualTo(3);
    assertThat(log.term(2)).as("compacted").isEqualTo(-1);
    assertThat(log.term(6)).as("beyond the log").isEqualTo(-1);
  }

  @Test
  void recoveredLogMustBeContiguous() {
    assertThatThrownBy(() -> new RaftLog(0, 0, Configuration.empty(), List.of(entry(1, 1), entry(3, 1))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** §5.4.1: "If the logs have last entries with different terms, then the log with the later term is more up-to-date." */
  @Test
  void upToDateComparesLastTermsFirstThenLength() {
    RaftLog log = log(1, 1, 2);

    assertThat(log.isUpToDate(2, 3)).as("shorter, later term").isTrue();
    assertThat(log.isUpToDate(9, 1)).as("longer, earlier term").isFalse();
    assertThat(log.isUpToDate(3, 2)).as("equal").isTrue();
    assertThat(log.isUpToDate(2, 2)).as("same term, shorter").isFalse();
  }

  @Test
  void appendFromLeaderSkipsEntriesAlreadyPresent() {
    RaftLog log = log(1, 1, 1, 1);
    log.takeUnstable();

    long conflict = log.appendFromLeader(1, List.of(entry(2, 1), entry(3, 1)), 0);

    assertThat(conflict).isZero();
    assertThat(log.lastIndex()).isEqualTo(4);
    assertThat(log.hasUnstable()).isFalse();
  }

  @Test
  void appendFromLeaderTruncatesAtTheFirstConflictOnly() {
    RaftLog log = log(1, 1, 1, 1);
    log.takeUnstable();

    long conflict = log.appendFromLeader(1, List.of(entry(2, 1), entry(3, 2)), 0);

    assertThat(conflict).isEqualTo(3);
    assertThat(log.lastIndex()).isEqualTo(3);
    assertThat(log.term(3)).isEqualTo(2);
    assertThat(log.pendingTruncateFrom()).isEqualTo(3);
    assertThat(log.takeUnstable()).containsExactly(entry(3, 2));
    assertThat(log.pendingTruncateFrom()).isZero();
  }

  @Test
  void truncatingEntriesNotYetHandedToTheStoreNeedsNoStoreTruncation() {
    RaftLog log = log(1);
    log.takeUnstable();
    log.appendFromLeader(1, List.of(entry(2, 1), entry(3, 1)), 0);

    log.appendFromLeader(1, List.of(entry(2, 2)), 0);

    assertThat(log.pendingTruncateFrom()).isZero();
    assertThat(log.takeUnstable()).containsExactly(entry(2, 2));
  }

  @Test
  void conflictWithACommittedEntryIsRefused() {
    RaftLog log = log(1, 1);

    assertThatThrownBy(() -> log.appendFromLeader(0, List.of(entry(1, 1), entry(2, 3)), 2))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void termBoundariesForFastBacktracking() {
    RaftLog log = log(1, 1, 1, 4, 4, 5, 5, 6, 6, 6);

    assertThat(log.firstIndexOfTermAt(10)).isEqualTo(8);
    assertThat(log.firstIndexOfTermAt(5)).isEqualTo(4);
    assertThat(log.firstIndexOfTermAt(2)).isEqualTo(1);
    assertThat(log.lastIndexOfTerm(4)).isEqualTo(5);
    assertThat(log.lastIndexOfTerm(6)).isEqualTo(10);
    assertThat(log.lastIndexOfTerm(3)).as("absent").isEqualTo(-1);
    assertThat(log.lastIndexOfTerm(7)).as("absent").isEqualTo(-1);
  }

  @Test
  void sliceIsBoundedByCountAndBytesButHoldsAtLeastOneEntry() {
    RaftLog log = log(1, 1, 1, 1, 1);

    assertThat(log.slice(2, 2, Long.MAX_VALUE)).extracting(LogEntry::index).containsExactly(2L, 3L);
    assertThat(log.slice(2, 10, 1)).extracting(LogEntry::index).containsExactly(2L);
    assertThat(log.slice(2, 10, 50)).extracting(LogEntry::index).containsExactly(2L, 3L);
    assertThat(log.slice(6, 10, 100)).isEmpty();
  }

  @Test
  void leaderAppendMustBeAtTheNextIndex() {
    RaftLog log = log(1);

    assertThatThrownBy(() -> log.append(entry(3, 1))).isInstanceOf(IllegalStateException.class);
    log.append(entry(2, 1));
    assertThat(log.lastIndex()).isEqualTo(2);
  }
}
