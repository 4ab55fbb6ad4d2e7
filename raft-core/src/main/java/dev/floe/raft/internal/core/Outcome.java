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

import dev.floe.raft.cluster.NodeId;

/** What became of a request made through an {@link Event}. */
public sealed interface Outcome {

  /** The request this outcome answers. */
  long requestId();

  /**
   * The command was appended to the leader's log at {@code index} in {@code term}. It is committed
   * once this node applies {@code index} with that term; if the entry there has another term, it
   * was not.
   */
  record ProposalAccepted(long requestId, long index, long term) implements Outcome {}

  /**
   * The request was refused, without effect.
   *
   * @param refusal why, as a kind the driver maps to an exception
   * @param leaderHint the leader the refusing node knows of, or {@code null}
   * @param detail the reason in words, for the exception's message
   */
  record Rejected(long requestId, Refusal refusal, NodeId leaderHint, String detail)
      implements Outcome {}

  /** A read may be served once this node has applied {@code readIndex}. */
  record ReadIndexReady(long requestId, long readIndex) implements Outcome {}

  /** A leadership transfer ended: {@code target} now leads. */
  record TransferCompleted(long requestId, NodeId target) implements Outcome {}

  /**
   * The request's fate is unknown: it may or may not take effect (for instance, leadership was lost
   * after a step of it was appended to the log).
   */
  record Unknown(long requestId, String reason) implements Outcome {}

  /** A membership change asked for what already holds, in a committed configuration. */
  record Unchanged(long requestId) implements Outcome {}

  /** Why a request was refused. Every refusal is without effect on the replicated state. */
  enum Refusal {
    /** This node does not lead; the leader hint, if any, is where to retry. */
    NOT_LEADER,
    /** No leader is known; retry later. */
    NO_LEADER,
    /** The leader transfers its leadership and takes no proposals meanwhile; retry later. */
    TRANSFER_IN_PROGRESS,
    /** The leader lost its leadership before it carried the request out. */
    LEADERSHIP_LOST,
    /**
     * A leadership transfer did not happen: its target did not take over in time, another node
     * did, the target is not a voter, there is no other voter, or another transfer is under way.
     */
    TRANSFER_FAILED,
    /** A membership change that cannot be made (removing the last voter, promoting a non-learner). */
    IMPOSSIBLE_CHANGE,
    /** A learner did not catch up within the deadline to be promoted; it stays a learner. */
    CATCH_UP_TIMED_OUT,
    /** The leader holds as many uncommitted entry bytes as it keeps; retry later. */
    OVERLOADED
  }
}
