package dev.floe.raft.message;

import dev.floe.raft.NodeId;

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
    implements RaftMessage {}
