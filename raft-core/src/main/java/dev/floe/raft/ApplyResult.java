package dev.floe.raft;

import dev.floe.raft.cluster.Configuration;

/**
 * What applying one committed entry produced, as the apply thread hands it to whoever waits for
 * the entry.
 */
sealed interface ApplyResult {
  /** The state machine's result. */
  record Value(byte[] bytes) implements ApplyResult {}

  /** The state machine refused the command (it threw); the submitter gets the exception. */
  record Failure(RuntimeException exception) implements ApplyResult {}

  /**
   * A session command applied before (a retry): answered as its first application was, at that
   * application's index and term.
   */
  record Replay(long index, long term, ApplyResult first) implements ApplyResult {}

  /** A configuration entry: the membership from then on. */
  record Membership(Configuration configuration) implements ApplyResult {}

  /** An entry with no result (a leader's no-op). */
  record None() implements ApplyResult {}

  None NONE = new None();
}
