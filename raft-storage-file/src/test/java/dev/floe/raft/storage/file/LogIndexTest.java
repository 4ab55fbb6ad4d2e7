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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.LongToIntFunction;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/** The index keeps every entry's place across its chunks, through compaction and truncation. */
class LogIndexTest {
  private static final long SEGMENT = 64 << 10;

  private static int size(long index) {
    return SegmentFormat.RECORD_OVERHEAD + (int) (index % 97);
  }

  private static void append(LogIndex index, long from, long to) {
    for (long i = from; i <= to; i++) {
      index.append(i / 1000 + 1, size(i), SEGMENT);
    }
  }

  private static void check(LogIndex index) {
    check(index, i -> i / 1000 + 1, LogIndexTest::size);
  }

  /** Every entry has the term and size given for its index, right after the one before it. */
  private static void check(LogIndex index, LongUnaryOperator term, LongToIntFunction size) {
    for (long i = index.firstIndex(); i <= index.lastIndex(); i++) {
      assertThat(index.term(i)).as("term of %d", i).isEqualTo(term.applyAsLong(i));
      assertThat(index.recordSize(i)).as("size of %d", i).isEqualTo(size.applyAsInt(i));
      if (i > index.firstIndex() && index.segmentOf(i) == index.segmentOf(i - 1)) {
        assertThat(index.offset(i)).isEqualTo(index.offset(i - 1) + size.applyAsInt(i - 1));
      } else {
        assertThat(index.offset(i)).isEqualTo(SegmentFormat.HEADER_SIZE);
      }
    }
  }

  @Test
  void entriesKeepTheirPlaceAcrossChunksThroughCompactionAndTruncation() {
    LogIndex index = new LogIndex(1);
    append(index, 1, 20_000);
    check(index);

    index.compactUpTo(9_000);
    assertThat(index.firstIndex()).isLessThanOrEqualTo(9_001).isGreaterThan(1);
    check(index);

    index.truncateFrom(15_000);
    assertThat(index.lastIndex()).isEqualTo(14_999);
    append(index, 15_000, 30_000);
    check(index);

    index.compactUpTo(29_990);
    check(index);
    assertThat(index.contains(30_000)).isTrue();
    assertThatThrownBy(() -> index.term(index.firstIndex() - 1))
        .isInstanceOf(IndexOutOfBoundsException.class);

    index.reset(50_000);
    append(index, 50_000, 60_000);
    assertThat(index.firstIndex()).isEqualTo(50_000);
    check(index);
  }

  /**
   * Chunks dropped by a truncation, a compaction or a reset are reused with their old bytes in
   * them: every entry written into one must read back as itself, not as what the chunk held.
   */
  @Test
  void reusedChunksHoldTheNewEntriesNotTheOldOnes() {
    LogIndex index = new LogIndex(1);
    for (long i = 1; i <= 20_000; i++) {
      index.append(1, SegmentFormat.RECORD_OVERHEAD + 7, SEGMENT);
    }
    index.truncateFrom(1); // every chunk becomes a spare
    LongUnaryOperator term = i -> 2 + i % 5;
    LongToIntFunction size = i -> SegmentFormat.RECORD_OVERHEAD + (int) (i % 31);
    for (long i = 1; i <= 20_000; i++) {
      index.append(term.applyAsLong(i), size.applyAsInt(i), SEGMENT);
    }
    check(index, term, size);

    index.compactUpTo(15_000);
    index.reset(30_000);
    LongUnaryOperator laterTerm = i -> 9 + i % 3;
    LongToIntFunction laterSize = i -> SegmentFormat.RECORD_OVERHEAD + (int) (i % 13);
    for (long i = 30_000; i <= 45_000; i++) {
      index.append(laterTerm.applyAsLong(i), laterSize.applyAsInt(i), SEGMENT);
    }
    assertThat(index.firstIndex()).isEqualTo(30_000);
    check(index, laterTerm, laterSize);
  }

  /**
   * A log compacted behind its snapshots, round after round, reuses the chunks compaction dropped:
   * the direct memory it allocates stays at what it held at its longest (here at most 35,500
   * entries, 9 chunks, and one more when the first entry sits late in its chunk), where without
   * reuse 50 rounds would allocate some 370 chunks and leave them for the collector to release.
   */
  @Test
  void aLogCompactedRoundAfterRoundAllocatesOnlyWhatItHeldAtItsLongest() {
    LogIndex index = new LogIndex(1);
    long next = 1;
    int afterFirstRound = 0;
    for (int round = 1; round <= 50; round++) {
      for (int i = 0; i < 30_000; i++, next++) {
        index.append(round, SegmentFormat.RECORD_OVERHEAD + 10, SEGMENT);
      }
      if (round == 1) {
        afterFirstRound = index.heldChunks();
      }
      index.compactUpTo(next - 2_000); // keeps a trailing part, as snapshots do
      assertThat(index.lastIndex() - index.firstIndex() + 1).as("kept after round %d", round)
          .isLessThan(5_500);
    }
    assertThat(afterFirstRound).as("chunks for the first 30,000 entries").isEqualTo(8);
    assertThat(index.heldChunks()).as("allocated in 50 rounds").isBetween(8, 10);
    assertThat(index.term(next - 1)).isEqualTo(50);
  }
}
