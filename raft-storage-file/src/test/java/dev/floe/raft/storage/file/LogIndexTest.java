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
    for (long i = index.firstIndex(); i <= index.lastIndex(); i++) {
      assertThat(index.term(i)).as("term of %d", i).isEqualTo(i / 1000 + 1);
      assertThat(index.recordSize(i)).as("size of %d", i).isEqualTo(size(i));
      if (i > index.firstIndex() && index.segmentOf(i) == index.segmentOf(i - 1)) {
        assertThat(index.offset(i)).isEqualTo(index.offset(i - 1) + size(i - 1));
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
}
