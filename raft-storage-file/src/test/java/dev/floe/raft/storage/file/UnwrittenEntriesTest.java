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

import dev.floe.raft.message.LogEntry;
import org.junit.jupiter.api.Test;

/** The entries not yet written, as the store and its writer change them. */
class UnwrittenEntriesTest {
  private static LogEntry entry(long index, long term) {
    return LogEntry.command(index, term, new byte[] {(byte) index});
  }

  @Test
  void entriesAreFoundUntilWrittenInOrderAcrossManyWrapsOfTheRing() {
    UnwrittenEntries unwritten = new UnwrittenEntries();
    long written = 0;
    for (long i = 1; i <= 1000; i++) {
      unwritten.add(entry(i, 1));
      if (i % 7 == 0) { // the writer catches up with all but the last three
        for (; written < i - 3; ) {
          written++;
          unwritten.written(unwritten.get(written));
        }
      }
    }
    assertThat(unwritten.get(written)).isNull();
    for (long i = written + 1; i <= 1000; i++) {
      assertThat(unwritten.get(i).index()).isEqualTo(i);
    }
    assertThat(unwritten.get(1001)).isNull();
  }

  @Test
  void aTruncatedIndexHoldsItsNewEntryEvenAfterTheOldOneIsWritten() {
    UnwrittenEntries unwritten = new UnwrittenEntries();
    LogEntry[] old = new LogEntry[6];
    for (int i = 1; i <= 5; i++) {
      old[i] = entry(i, 1);
      unwritten.add(old[i]);
    }
    unwritten.removeFrom(3);
    LogEntry newer = entry(3, 2);
    unwritten.add(newer);

    for (int i = 1; i <= 5; i++) {
      unwritten.written(old[i]); // the write queued before the truncation
    }

    assertThat(unwritten.get(3)).isSameAs(newer);
    assertThat(unwritten.contains(1)).isFalse();
    assertThat(unwritten.contains(4)).as("truncated, not appended again").isFalse();
    unwritten.written(newer);
    assertThat(unwritten.contains(3)).isFalse();
  }

  @Test
  void compactionAndResetDropEntriesAndAnEntryThatDoesNotFollowIsRefused() {
    UnwrittenEntries unwritten = new UnwrittenEntries();
    for (int i = 1; i <= 200; i++) {
      unwritten.add(entry(i, 1));
    }
    unwritten.removeBefore(150);
    assertThat(unwritten.contains(149)).isFalse();
    assertThat(unwritten.get(150).index()).isEqualTo(150);

    assertThatThrownBy(() -> unwritten.add(entry(202, 1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("end at 200");

    unwritten.clear();
    unwritten.add(entry(7, 3));
    assertThat(unwritten.get(7).term()).isEqualTo(3);
    assertThat(unwritten.contains(150)).isFalse();
  }
}
