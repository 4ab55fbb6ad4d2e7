package dev.floe.raft.message;

import dev.floe.raft.cluster.NodeId;

/**
 * The leader's answer to a {@link ForwardRequest}.
 *
 * @param from the node that received the request
 * @param to the forwarding follower
 * @param term the sender's term
 * @param requestId the request's id
 * @param accepted whether the command was appended to the leader's log
 * @param index if accepted, the index the command was given
 * @param entryTerm if accepted, the term of that entry
 * @param leaderHint if not accepted, the leader the sender knows of, or {@code null}
 */
public record ForwardResponse(
    NodeId from,
    NodeId to,
    long term,
    long requestId,
    boolean accepted,
    long index,
    long entryTerm,
    NodeId leaderHint)
    implements RaftMessage {

  /**
   * The command was appended at {@code index} in {@code entryTerm}.
   *
   * @param from the leader
   * @param to the follower that forwarded the command
   * @param term the leader's term
   * @param requestId the id of the request answered
   * @param index where the command was appended
   * @param entryTerm the term of that entry
   * @return the response
   */
  public static ForwardResponse accepted(NodeId from, NodeId to, long term, long requestId,
      long index, long entryTerm) {
    return new ForwardResponse(from, to, term, requestId, true, index, entryTerm, from);
  }

  /**
   * The command was not appended; {@code leaderHint} is the leader the sender knows, if any.
   *
   * @param from the node that refused
   * @param to the follower that forwarded the command
   * @param term the sender's term
   * @param requestId the id of the request answered
   * @param leaderHint the leader the sender knows of, or {@code null}
   * @return the response
   */
  public static ForwardResponse refused(NodeId from, NodeId to, long term, long requestId,
      NodeId leaderHint) {
    return new ForwardResponse(from, to, term, requestId, false, 0, 0, leaderHint);
  }
}
