package dev.floe.raft;

/** The part a node plays in its current term. */
public enum Role {
  /** Follows a leader, or waits for one. */
  FOLLOWER,
  /** Campaigns for leadership (including the pre-vote phase, which changes no term). */
  CANDIDATE,
  /** Leads the cluster: takes proposals and replicates them. */
  LEADER
}
