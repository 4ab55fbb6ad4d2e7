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

/** A growable array of longs that drops from its head in amortised constant time. */
final class Longs {
  private long[] values = new long[16];
  private int head;
  private int size;

  int size() {
    return size;
  }

  long get(int i) {
    return values[head + i];
  }

  long last() {
    return values[head + size - 1];
  }

  void set(int i, long value) {
    values[head + i] = value;
  }

  void add(long value) {
    if (head + size == values.length) {
      long[] grown = size * 2 < values.length ? values : new long[Math.max(16, size * 2)];
      System.arraycopy(values, head, grown, 0, size);
      values = grown;
      head = 0;
    }
    values[head + size++] = value;
  }

  void truncate(int newSize) {
    size = newSize;
    if (size == 0) {
      head = 0;
    }
  }

  void dropHead(int n) {
    head += n;
    size -= n;
    if (size == 0) {
      head = 0;
    }
  }
}
