package dev.floe.raft.cluster;

/** The part a node plays in its current term. */
public enum Role {
  /** Follows a leader, or waits for one. */
  FOLLOWER,
  /** Campaigns for leadership (including the pre-vote phase, which changes no term). */
  CANDIDATE,
  /** Leads the cluster: takes proposals and replicates them. */
  LEADER,
  /**
   * Takes no part any more: the node failed (its storage failed, or an internal check found a
   * broken invariant) and stopped, so that it acknowledges nothing it cannot stand by. {@link
   * dev.floe.raft.RaftStatus#failure()} says why. Not a Raft role: the node must be restarted or
   * replaced.
   */
  STOPPED
}
