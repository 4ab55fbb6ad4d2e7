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

import java.util.ArrayList;
import java.util.List;

/**
 * A growable array of longs that drops from its head, kept in chunks: growing adds a chunk instead
 * of copying every value into an array twice the size (for a log that is never compacted those
 * copies were a steady share of what a node allocated per entry), and dropping frees whole chunks.
 */
final class Longs {
  private static final int CHUNK_BITS = 10;
  private static final int CHUNK = 1 << CHUNK_BITS;
  private static final int MASK = CHUNK - 1;

  private final List<long[]> chunks = new ArrayList<>();
  /** Where value 0 is in the first chunk. */
  private int head;
  private int size;

  int size() {
    return size;
  }

  long get(int i) {
    int slot = head + i;
    return chunks.get(slot >>> CHUNK_BITS)[slot & MASK];
  }

  long last() {
    return get(size - 1);
  }

  void set(int i, long value) {
    int slot = head + i;
    chunks.get(slot >>> CHUNK_BITS)[slot & MASK] = value;
  }

  void add(long value) {
    int slot = head + size;
    if ((slot >>> CHUNK_BITS) == chunks.size()) {
      chunks.add(new long[CHUNK]);
    }
    chunks.get(slot >>> CHUNK_BITS)[slot & MASK] = value;
    size++;
  }

  void truncate(int newSize) {
    size = newSize;
    if (size == 0) {
      head = 0;
    }
    int keep = (head + size + MASK) >>> CHUNK_BITS; // the chunks that hold a value
    if (keep < chunks.size()) {
      chunks.subList(keep, chunks.size()).clear();
    }
  }

  void dropHead(int n) {
    head += n;
    size -= n;
    if (size == 0) {
      head = 0;
      chunks.clear();
      return;
    }
    int dropped = head >>> CHUNK_BITS;
    chunks.subList(0, dropped).clear();
    head &= MASK;
  }
}
