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
package dev.floe.raft.spi;

import dev.floe.raft.cluster.NodeId;

/**
 * The durable part of a node's election state: its current term and whom it voted for in it.
 *
 * @param term the current term, 0 before the first election
 * @param votedFor the candidate voted for in {@code term}, or {@code null} if none
 */
public record TermAndVote(long term, NodeId votedFor) {
  /** The state of a node that never took part in an election. */
  public static final TermAndVote INITIAL = new TermAndVote(0, null);

  /**
   * Validates the term.
   *
   * @param term the current term, from 0
   * @param votedFor the candidate voted for in that term, or {@code null}
   */
  public TermAndVote {
    if (term < 0) {
      throw new IllegalArgumentException("term must be >= 0: " + term);
    }
  }
}
