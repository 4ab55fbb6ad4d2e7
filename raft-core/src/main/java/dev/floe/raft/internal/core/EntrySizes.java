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

/**
 * Running totals of the entry sizes over a stretch of the log, so that the bytes of any range of
 * it are one subtraction, whether its entries are held in memory or not. Entries are counted
 * from the stretch's start: entry {@code n} is the n-th (from 1), and 0 stands for before the first.
 */
final class EntrySizes {
  private final Longs totals = new Longs();
  /** The total before the first entry (any value: only differences count). */
  private long atStart;

  int count() {
    return totals.size();
  }

  void add(long size) {
    totals.add(through(totals.size()) + size);
  }

  /** The total through entry {@code n}. */
  long through(int n) {
    return n == 0 ? atStart : totals.get(n - 1);
  }

  /** The largest {@code n} in {@code from - 1 .. to} such that entries {@code from .. n} take at most {@code maxBytes}. */
  int lastWithin(int from, int to, long maxBytes) {
    long before = through(from - 1);
    int lo = from - 1;
    int hi = to;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (through(mid) - before <= maxBytes) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** Keeps the first {@code n} entries. */
  void keep(int n) {
    totals.truncate(n);
  }

  /** Drops the first {@code n} entries: entry {@code n + 1} becomes the first. */
  void dropFirst(int n) {
    atStart = through(n);
    totals.dropHead(n);
  }
}
