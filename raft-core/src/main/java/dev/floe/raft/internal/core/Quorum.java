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

import java.util.Arrays;

/** Majority arithmetic over a set of voters. */
final class Quorum {
  private Quorum() {}

  /** The number of votes that make a majority of {@code voters}. */
  static int majority(int voters) {
    return voters / 2 + 1;
  }

  /** The highest index that a majority of the given match indexes has reached. */
  static long committedIndex(long[] matches) {
    if (matches.length == 0) {
      return 0;
    }
    long[] sorted = matches.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length - majority(sorted.length)];
  }
}
