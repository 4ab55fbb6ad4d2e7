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
