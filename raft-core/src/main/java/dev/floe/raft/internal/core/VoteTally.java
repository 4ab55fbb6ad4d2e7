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
