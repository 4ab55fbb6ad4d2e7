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
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import java.time.Duration;
import java.util.Optional;

/**
 * Something that happened to a node, as a {@link RaftListener} is told of it: a change of role or
 * term, of the membership, a snapshot taken or installed, or the node stopping. Events of one node
 * arrive in the order they happened, on a thread of the node's that is neither its consensus loop
 * nor its apply thread, so a listener that takes its time delays only later events.
 */
public sealed interface NodeEvent {

  /** {@return the node the event happened to} */
  NodeId node();

  /**
   * The node took a role, or a new term, and why.
   *
   * @param leader the leader known in that term, if any
   */
  record RoleChanged(NodeId node, Role role, long term, Optional<NodeId> leader, Reason reason)
      implements NodeEvent {}

  /** Why a node changed its role or term. */
  enum Reason {
    /** No leader was heard from within an election timeout: a (pre-)campaign starts. */
    ELECTION_TIMEOUT,
    /** A pre-vote was won: the real campaign starts, in a new term. */
    PRE_VOTE_WON,
    /** The leader handed its leadership over (TimeoutNow): a campaign starts at once. */
    LEADERSHIP_TRANSFER,
    /** A majority voted for the node: it leads. */
    ELECTION_WON,
    /** The campaign could not win. */
    ELECTION_LOST,
    /** A message of a higher term arrived. */
    HIGHER_TERM,
    /** A candidate or follower heard from the leader of its term, new to it. */
    LEADER_DISCOVERED,
    /** A leader did not hear from a majority within an election timeout (check-quorum). */
    CHECK_QUORUM,
    /** A leader's own removal from the configuration committed; it handed over. */
    REMOVED
  }

  /**
   * The configuration in effect on the node changed (it takes effect when appended, before it
   * commits).
   *
   * @param index the index of the entry that holds it
   */
  record MembershipChanged(NodeId node, Configuration configuration, long index)
      implements NodeEvent {}

  /** The node took a snapshot of its state machine (and may compact its log behind it). */
  record SnapshotTaken(NodeId node, long index, long term, long sizeBytes, Duration took)
      implements NodeEvent {}

  /**
   * The node installed a snapshot the leader sent it; {@code took} runs from its first chunk to
   * its state machine's restore.
   */
  record SnapshotInstalled(NodeId node, long index, long term, long sizeBytes, Duration took)
      implements NodeEvent {}

  /**
   * The node stopped taking part (its storage failed, or an internal check found a broken
   * invariant); it must be restarted or replaced.
   */
  record Stopped(NodeId node, String reason, Throwable cause) implements NodeEvent {}
}
