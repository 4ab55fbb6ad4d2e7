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
package dev.floe.raft.sim;

import dev.floe.raft.RaftStatus;
import dev.floe.raft.cluster.NodeId;
import java.util.Set;

/**
 * The check "leadership is stable under load": during a calm phase (every node up, the network
 * healthy) the leader of the term it began in leads on, and no member moves to a later term. One
 * violation per calm phase at most; told of every running node's status after every event.
 */
final class LeadershipWatch {
  private final SimCluster cluster;
  private final NodeId leader;
  private final long term;
  private final Set<NodeId> members;
  private final long sinceMillis;
  private final String conditions;
  private boolean broken;

  /**
   * @param conditions what the calm phase is like, for the violation's text
   */
  LeadershipWatch(SimCluster cluster, NodeId leader, long term, Set<NodeId> members,
      String conditions) {
    this.cluster = cluster;
    this.leader = leader;
    this.term = term;
    this.members = Set.copyOf(members);
    this.sinceMillis = cluster.nowMillis();
    this.conditions = conditions;
  }

  /** Whether a leader change was seen. */
  boolean broken() {
    return broken;
  }

  void observe(NodeId id, RaftStatus status) {
    if (broken || !members.contains(id)) {
      return;
    }
    String change = null;
    if (status.term() > term) {
      change = id + " moved to term " + status.term() + " as " + status.role();
    } else if (id.equals(leader) && !status.isLeader()) {
      change = leader + " stopped leading (" + status.role() + ")";
    }
    if (change != null) {
      broken = true;
      cluster.note("leader change under load: " + change);
      cluster.violation("leadership is stable under load: " + change + ", "
          + (cluster.nowMillis() - sinceMillis) + " ms into a calm phase in which " + leader
          + " led term " + term + " (" + conditions + ")");
    }
  }
}
