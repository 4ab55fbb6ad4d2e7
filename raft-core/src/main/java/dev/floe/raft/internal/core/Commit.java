package dev.floe.raft.internal.core;

/**
 * The leader's commit rule (Raft §5.3, §5.4.2 and Figure 8): an entry is committed once a majority
 * of the voters holds it durably, counting replicas only for an entry of the leader's own term;
 * entries of earlier terms commit with it, never on their own.
 */
final class Commit {
  private Commit() {}

  /**
   * Advances the commit index to what a majority holds, if that entry is of this term.
   *
   * @param quorumMatch the highest index a majority of the voters holds durably
   * @return whether the commit index moved
   */
  static boolean advance(RaftState s, long quorumMatch) {
    if (quorumMatch > s.commitIndex && s.log.term(quorumMatch) == s.term) {
      s.commitIndex = quorumMatch;
      return true;
    }
    return false;
  }
}
