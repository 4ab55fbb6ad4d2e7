package dev.floe.raft.message;

import dev.floe.raft.cluster.NodeId;

/**
 * The leader's answer to a {@link ReadIndexRequest}, sent once it has confirmed its leadership.
 *
 * @param from the leader (or the node that refused)
 * @param to the follower
 * @param term the sender's term
 * @param requestId the request's id
 * @param accepted whether a read index is given
 * @param readIndex if accepted, the index the follower must apply before reading
 * @param leaderHint if not accepted, the leader the sender knows of, or {@code null}
 */
public record ReadIndexResponse(
    NodeId from,
    NodeId to,
    long term,
    long requestId,
    boolean accepted,
    long readIndex,
    NodeId leaderHint)
    implements RaftMessage {}
