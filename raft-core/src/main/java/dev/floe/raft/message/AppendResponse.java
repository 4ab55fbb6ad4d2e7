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
package dev.floe.raft.message;

import dev.floe.raft.cluster.NodeId;

/**
 * The answer to an {@link AppendRequest}. A success is sent only once the entries it confirms are
 * durable on the follower.
 *
 * @param from the follower
 * @param to the leader
 * @param term the follower's term
 * @param success whether the log matched at {@code prevLogIndex} and the entries were stored
 * @param matchIndex on success, the last index known to match the leader's log; otherwise 0
 * @param rejectedIndex on failure, the request's {@code prevLogIndex}; otherwise 0
 * @param conflictTerm on failure, the follower's term at {@code rejectedIndex}, or 0 if its log is
 *     shorter than that
 * @param conflictIndex on failure, the first index the follower holds for {@code conflictTerm}, or
 *     its last index + 1 if its log is shorter; the leader can skip a whole term per round trip
 * @param lastLogIndex the follower's last log index
 * @param round the {@link AppendRequest#round()} being answered
 */
public record AppendResponse(
    NodeId from,
    NodeId to,
    long term,
    boolean success,
    long matchIndex,
    long rejectedIndex,
    long conflictTerm,
    long conflictIndex,
    long lastLogIndex,
    long round)
    implements RaftMessage {

  /**
   * A success: the follower's log matches the leader's through {@code matchIndex}, durably.
   *
   * @param from the follower
   * @param to the leader
   * @param term the follower's term
   * @param matchIndex the last index known to match the leader's log
   * @param lastLogIndex the follower's last index
   * @param round the round of the request answered
   * @return the response
   */
  public static AppendResponse accepted(NodeId from, NodeId to, long term, long matchIndex,
      long lastLogIndex, long round) {
    return new AppendResponse(from, to, term, true, matchIndex, 0, 0, 0, lastLogIndex, round);
  }

  /**
   * A rejection: the log does not match at {@code rejectedIndex} (the request's prevLogIndex),
   * with the hints for fast backtracking.
   *
   * @param from the follower
   * @param to the leader
   * @param term the follower's term
   * @param rejectedIndex the request's prevLogIndex
   * @param conflictTerm the term of the follower's entry at {@code rejectedIndex}, or 0 if it has
   *     none
   * @param conflictIndex the first index the follower holds in {@code conflictTerm}, or where its
   *     log ends
   * @param lastLogIndex the follower's last index
   * @param round the round of the request answered
   * @return the response
   */
  public static AppendResponse rejected(NodeId from, NodeId to, long term, long rejectedIndex,
      long conflictTerm, long conflictIndex, long lastLogIndex, long round) {
    return new AppendResponse(from, to, term, false, 0, rejectedIndex, conflictTerm,
        conflictIndex, lastLogIndex, round);
  }

  /**
   * The answer to a request of an older term: it only tells the sender the newer term.
   *
   * @param from the follower
   * @param to the leader of the older term
   * @param term the follower's term, newer than the request's
   * @param lastLogIndex the follower's last index
   * @return the response
   */
  public static AppendResponse staleTerm(NodeId from, NodeId to, long term, long lastLogIndex) {
    return new AppendResponse(from, to, term, false, 0, 0, 0, 0, lastLogIndex, 0);
  }
}
