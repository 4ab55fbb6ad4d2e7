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

import dev.floe.raft.message.LogEntry;
import java.util.Arrays;

/**
 * The entries appended but not yet written to their segment, by index, so that reads see them at
 * once. They are always the last entries of the log, {@code first() .. first() + size() - 1}: the
 * store appends after the last one, truncates a suffix, and the writer writes them in order and
 * removes them from the front. So they sit in a ring of slots, and nothing is allocated per entry
 * (a map boxed every index and allocated a node per entry, an eighth of the bytes a node
 * allocated per entry). Guarded by the store's lock.
 */
final class UnwrittenEntries {
  private LogEntry[] slots = new LogEntry[64];
  private int head;
  private int size;
  private long first;

  /** The entry at {@code index}, or {@code null} if it is written (or not in the log). */
  LogEntry get(long index) {
    return index >= first && index < first + size ? slots[slot(index)] : null;
  }

  boolean contains(long index) {
    return get(index) != null;
  }

  /** Adds the entry after the last one (any index if there is none). */
  void add(LogEntry entry) {
    if (size == 0) {
      first = entry.index();
      head = 0;
    } else if (entry.index() != first + size) {
      throw new IllegalStateException("unwritten entries end at " + (first + size - 1)
          + "; cannot add entry " + entry.index());
    }
    if (size == slots.length) {
      LogEntry[] grown = new LogEntry[slots.length * 2];
      for (int i = 0; i < size; i++) {
        grown[i] = slots[(head + i) % slots.length];
      }
      slots = grown;
      head = 0;
    }
    slots[(head + size) % slots.length] = entry;
    size++;
  }

  /** The writer wrote {@code entry}: removes it unless a newer entry took its index. */
  void written(LogEntry entry) {
    long index = entry.index();
    if (size > 0 && index == first && slots[head] == entry) {
      dropFront(1);
    }
  }

  /** Removes the entries from {@code fromIndex} on (a suffix truncation). */
  void removeFrom(long fromIndex) {
    int keep = (int) Math.max(0, Math.min(size, fromIndex - first));
    for (int i = keep; i < size; i++) {
      slots[(head + i) % slots.length] = null;
    }
    size = keep;
  }

  /** Removes the entries before {@code index} (a compaction). */
  void removeBefore(long index) {
    dropFront((int) Math.max(0, Math.min(size, index - first)));
  }

  void clear() {
    Arrays.fill(slots, null);
    size = 0;
  }

  private void dropFront(int n) {
    for (int i = 0; i < n; i++) {
      slots[(head + i) % slots.length] = null;
    }
    head = (head + n) % slots.length;
    first += n;
    size -= n;
  }

  private int slot(long index) {
    return (int) ((head + (index - first)) % slots.length);
  }
}
