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
 * The leader's answer to a {@link ForwardRequest}.
 *
 * @param from the node that received the request
 * @param to the forwarding follower
 * @param term the sender's term
 * @param requestId the request's id
 * @param accepted whether the command was appended to the leader's log
 * @param index if accepted, the index the command was given
 * @param entryTerm if accepted, the term of that entry
 * @param leaderHint if not accepted, the leader the sender knows of, or {@code null}
 */
public record ForwardResponse(
    NodeId from,
    NodeId to,
    long term,
    long requestId,
    boolean accepted,
    long index,
    long entryTerm,
    NodeId leaderHint)
    implements RaftMessage {

  /**
   * The command was appended at {@code index} in {@code entryTerm}.
   *
   * @param from the leader
   * @param to the follower that forwarded the command
   * @param term the leader's term
   * @param requestId the id of the request answered
   * @param index where the command was appended
   * @param entryTerm the term of that entry
   * @return the response
   */
  public static ForwardResponse accepted(NodeId from, NodeId to, long term, long requestId,
      long index, long entryTerm) {
    return new ForwardResponse(from, to, term, requestId, true, index, entryTerm, from);
  }

  /**
   * The command was not appended; {@code leaderHint} is the leader the sender knows, if any.
   *
   * @param from the node that refused
   * @param to the follower that forwarded the command
   * @param term the sender's term
   * @param requestId the id of the request answered
   * @param leaderHint the leader the sender knows of, or {@code null}
   * @return the response
   */
  public static ForwardResponse refused(NodeId from, NodeId to, long term, long requestId,
      NodeId leaderHint) {
    return new ForwardResponse(from, to, term, requestId, false, 0, 0, leaderHint);
  }
}
