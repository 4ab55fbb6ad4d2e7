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
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.RaftMessage;
import java.util.List;
import java.util.Objects;

/** Something that happens to a node: the only way in to {@link RaftCore}. */
public sealed interface Event {

  /** A unit of logical time passed. */
  record Tick() implements Event {}

  /** A message arrived (possibly from this node itself, after a durable write). */
  record Receive(RaftMessage message) implements Event {
    public Receive {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * Commands submitted on this node, each with an id unique on this node.
   *
   * @param settledBelow every request of this node with a lower id is settled (answered, or given
   *     up on): forwards tell the leader, so that it can forget them and never append a late copy
   */
  record Propose(List<Proposal> proposals, long settledBelow) implements Event {
    public Propose {
      proposals = List.copyOf(proposals);
    }

    /** Proposals that settle nothing. */
    public Propose(List<Proposal> proposals) {
      this(proposals, 0);
    }
  }

  /**
   * One submitted command.
   *
   * @param type {@link EntryType#COMMAND} or {@link EntryType#SESSION_COMMAND}
   * @param command the entry's payload
   */
  record Proposal(long requestId, EntryType type, byte[] command) {
    /** A plain command. */
    public Proposal(long requestId, byte[] command) {
      this(requestId, EntryType.COMMAND, command);
    }
  }

  /** The state machine has applied every entry up to {@code index}. */
  record Applied(long index) implements Event {}

  /**
   * Asks the leader to hand leadership to {@code target}, or to the most up-to-date follower if
   * {@code target} is {@code null}.
   */
  record TransferLeadership(long requestId, NodeId target) implements Event {}

  /**
   * A snapshot covering the log up to {@code index} (whose term is {@code term}) is durable; the log
   * may be compacted up to {@code compactUpTo} (at most {@code index}; lower keeps a trailing window
   * for slow followers).
   */
  record SnapshotTaken(long index, long term, long compactUpTo) implements Event {}

  /**
   * A snapshot received from the leader is durable and the state machine was restored from it:
   * the log up to {@code index} is replaced, and {@code configuration} (encoded) is the
   * membership as of {@code index}.
   */
  record SnapshotInstalled(long index, long term, byte[] configuration) implements Event {}

  /** What a membership change asks for. */
  enum MembershipChangeKind {
    /** Add a learner (a member that receives the log without voting). */
    ADD_LEARNER,
    /** Add a learner, then promote it once it has caught up. */
    ADD_VOTER,
    /** Make a learner a voter once it has caught up. */
    PROMOTE,
    /** Remove a voter or a learner. */
    REMOVE
  }

  /**
   * Asks the leader to change the membership by one member (thesis §4.1). The request is queued
   * until the leader has committed an entry of its term and no other change is uncommitted.
   *
   * @param address the member's transport address for additions ("" if none), else ignored
   */
  record ChangeMembership(long requestId, MembershipChangeKind kind, NodeId node, String address)
      implements Event {
    public ChangeMembership {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(address, "address");
    }
  }

  /** Asks for a linearizable read index (ReadIndex, thesis §6.4). */
  record ReadIndex(long requestId) implements Event {}

  /**
   * Asks for a read index under the leader's lease: granted at once while the lease holds, and
   * otherwise served like {@link ReadIndex}.
   */
  record LeaseRead(long requestId) implements Event {}
}
