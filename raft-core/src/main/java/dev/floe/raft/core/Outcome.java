package dev.floe.raft.core;

import dev.floe.raft.NodeId;

/** What became of a request made through an {@link Event}. */
public sealed interface Outcome {

  /** The request this outcome answers. */
  long requestId();

  /**
   * The command was appended to the leader's log at {@code index} in {@code term}. It is committed
   * once this node applies {@code index} with that term; if the entry there has another term, it
   * was not.
   */
  record ProposalAccepted(long requestId, long index, long term) implements Outcome {}

  /** The request was refused without effect; {@code leaderHint} is the leader if known. */
  record Rejected(long requestId, NodeId leaderHint, String reason) implements Outcome {}

  /** A read may be served once this node has applied {@code readIndex}. */
  record ReadIndexReady(long requestId, long readIndex) implements Outcome {}

  /** A leadership transfer ended: {@code target} now leads. */
  record TransferCompleted(long requestId, NodeId target) implements Outcome {}

  /** The request was refused for a reason other than leadership (it asked for the impossible). */
  record Refused(long requestId, String reason) implements Outcome {}

  /**
   * The request's fate is unknown: it may or may not take effect (for instance, leadership was lost
   * after a step of it was appended to the log).
   */
  record Unknown(long requestId, String reason) implements Outcome {}

  /** A membership change asked for what already holds, in a committed configuration. */
  record Unchanged(long requestId) implements Outcome {}
}
