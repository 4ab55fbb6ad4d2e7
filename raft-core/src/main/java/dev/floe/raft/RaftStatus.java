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

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's state at one moment, as seen from outside. Obtained from {@link RaftNode#status()}; a
 * copy, never updated.
 *
 * @param id the node
 * @param role its role
 * @param term its current term
 * @param leader the leader it knows of in this term
 * @param commitIndex the highest index it knows to be committed
 * @param appliedIndex the highest index its state machine has applied, as the event loop last
 *     learned it (a submit completes on the apply thread, so this may trail it for a moment)
 * @param lastIndex the index of its last log entry
 * @param snapshotIndex the last index its latest snapshot covers, 0 if it has none
 * @param members the voting members of the configuration in effect, in id order
 * @param learners the non-voting members of that configuration, in id order
 * @param matchIndexes on a leader, each member's match index (as of its last timer tick); otherwise
 *     empty
 * @param failure why the node stopped taking part (a storage failure), or empty while healthy
 */
public record RaftStatus(
    NodeId id,
    Role role,
    long term,
    Optional<NodeId> leader,
    long commitIndex,
    long appliedIndex,
    long lastIndex,
    long snapshotIndex,
    List<NodeId> members,
    List<NodeId> learners,
    Map<NodeId, Long> matchIndexes,
    Optional<String> failure) {

  /** {@return whether this node is the leader} */
  public boolean isLeader() {
    return role == Role.LEADER;
  }

  /**
   * {@return on a leader, how many entries each other member lacks: this node's last index minus
   * that member's match index (as of the last timer tick), in id order; otherwise empty}
   */
  public Map<NodeId, Long> lag() {
    java.util.TreeMap<NodeId, Long> lag = new java.util.TreeMap<>();
    matchIndexes.forEach((member, match) -> {
      if (!member.equals(id)) {
        lag.put(member, Math.max(0, lastIndex - match));
      }
    });
    return lag;
  }
}
