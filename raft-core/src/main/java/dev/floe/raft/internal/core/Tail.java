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

import dev.floe.raft.message.LogEntries;
import dev.floe.raft.message.LogEntry;
import java.util.Arrays;

/** The entries held in memory, as a growable array that drops from its head. */
final class Tail {
  private LogEntry[] entries = new LogEntry[16];
  private int head;
  private int size;

  int size() {
    return size;
  }

  LogEntry get(int i) {
    return entries[head + i];
  }

  void add(LogEntry e) {
    if (head + size == entries.length) {
      LogEntry[] grown =
          size * 2 < entries.length ? entries : new LogEntry[Math.max(16, size * 2)];
      System.arraycopy(entries, head, grown, 0, size);
      if (grown == entries) {
        Arrays.fill(entries, size, head + size, null);
      }
      entries = grown;
      head = 0;
    }
    entries[head + size++] = e;
  }

  /**
   * The entries {@code from..toExclusive-1}, in an immutable list of their own, copied once:
   * messages and stores keep a {@link LogEntries} as it is.
   */
  LogEntries copy(int from, int toExclusive) {
    return LogEntries.copyOfRange(entries, head + from, head + toExclusive);
  }

  void truncate(int newSize) {
    Arrays.fill(entries, head + newSize, head + size, null);
    size = newSize;
    if (size == 0) {
      head = 0;
    }
  }

  void clear() {
    truncate(0);
  }

  void dropHead(int n) {
    Arrays.fill(entries, head, head + n, null);
    head += n;
    size -= n;
    if (size == 0) {
      head = 0;
    }
  }
}
