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
 * The terms of a stretch of the log as runs of equal terms (terms never decrease along a log), so
 * that the term of an entry is known without holding the entry: one pair of longs per term.
 */
final class TermRuns {
  private final Longs starts = new Longs();
  private final Longs terms = new Longs();

  /** Records the term of the next entry, {@code index}. */
  void add(long index, long term) {
    if (terms.size() == 0 || terms.last() != term) {
      starts.add(index);
      terms.add(term);
    }
  }

  /** The term at {@code index}, which is within the stretch. */
  long term(long index) {
    return terms.get(runOf(index));
  }

  /** The first index of the run holding {@code index}. */
  long runStart(long index) {
    return starts.get(runOf(index));
  }

  /** The last index of term {@code t} in a stretch ending at {@code lastIndex}, or -1 if none. */
  long lastIndexOf(long t, long lastIndex) {
    for (int k = terms.size() - 1; k >= 0; k--) {
      long tk = terms.get(k);
      if (tk == t) {
        return k == terms.size() - 1 ? lastIndex : starts.get(k + 1) - 1;
      }
      if (tk < t) {
        return -1;
      }
    }
    return -1;
  }

  /** Forgets the terms of {@code index} and after. */
  void truncateFrom(long index) {
    while (starts.size() > 0 && starts.last() >= index) {
      starts.truncate(starts.size() - 1);
      terms.truncate(terms.size() - 1);
    }
  }

  /** Forgets the terms before {@code index}, which is within the stretch and becomes its start. */
  void startAt(long index) {
    int first = runOf(index);
    starts.dropHead(first);
    terms.dropHead(first);
    starts.set(0, index);
  }

  void clear() {
    starts.truncate(0);
    terms.truncate(0);
  }

  /** The last run starting at or before {@code index}. */
  private int runOf(long index) {
    int lo = 0;
    int hi = starts.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts.get(mid) <= index) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
