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
import dev.floe.raft.cluster.Role;

/**
 * A change of this node's role or term, and why: what the driver logs (and reports to listeners),
 * so that every election can be followed from the outside.
 *
 * @param role the role taken
 * @param term the term it is taken in
 * @param leader the leader known in that term, or {@code null}
 * @param reason why
 */
public record RoleChange(Role role, long term, NodeId leader, Reason reason) {

  /** Why a node changed its role or term. */
  public enum Reason {
    /** No leader was heard from within an election timeout: a (pre-)campaign starts. */
    ELECTION_TIMEOUT,
    /** A pre-vote was won: the real campaign starts, in a new term. */
    PRE_VOTE_WON,
    /** The leader handed its leadership over (TimeoutNow): a campaign starts at once. */
    LEADERSHIP_TRANSFER,
    /** A majority voted for this node. */
    ELECTION_WON,
    /** The campaign cannot win (enough voters refused). */
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
}
