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
import java.util.SortedSet;
import java.util.TreeMap;

/** The votes of one campaign, pre-vote or real: each voter's first answer, and the tally. */
final class VoteTally {
  enum Result {
    PENDING,
    WON,
    LOST
  }

  private final boolean preVote;
  private final SortedSet<NodeId> voters;
  private final TreeMap<NodeId, Boolean> votes = new TreeMap<>();

  VoteTally(boolean preVote, SortedSet<NodeId> voters) {
    this.preVote = preVote;
    this.voters = voters;
  }

  boolean preVote() {
    return preVote;
  }

  /** Records a voter's first answer (later duplicates are ignored) and returns the tally. */
  Result record(NodeId voter, boolean granted) {
    if (voters.contains(voter)) {
      votes.putIfAbsent(voter, granted);
    }
    int quorum = Quorum.majority(voters.size());
    int yes = 0;
    int no = 0;
    for (boolean v : votes.values()) {
      if (v) {
        yes++;
      } else {
        no++;
      }
    }
    if (yes >= quorum) {
      return Result.WON;
    }
    return voters.size() - no < quorum ? Result.LOST : Result.PENDING;
  }
}
