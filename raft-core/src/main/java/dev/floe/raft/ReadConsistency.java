package dev.floe.raft;

/** How fresh a {@link RaftNode#query} answer must be. */
public enum ReadConsistency {
  /**
   * Linearizable (ReadIndex, thesis §6.4): the leader confirms it still leads with a round of
   * heartbeats answered by a majority, and the query runs once this node has applied everything
   * committed before it was asked. Works on followers too, which ask the leader for the index.
   */
  LINEARIZABLE,
  /**
   * Served from this node's current state without any check: fast, possibly stale, available on
   * every node.
   */
  LOCAL
}
