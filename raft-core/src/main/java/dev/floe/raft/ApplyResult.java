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

  /** No bytes: shared, since a zero-length array cannot be changed. */
  byte[] NO_BYTES = new byte[0];

  /** The state machine's result when it returned no bytes (many do, for every command). */
  Value EMPTY = new Value(NO_BYTES);
}
