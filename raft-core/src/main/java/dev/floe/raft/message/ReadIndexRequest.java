package dev.floe.raft.message;

import dev.floe.raft.cluster.NodeId;

/**
 * A follower asks the leader for a read index so that it can serve a linearizable read itself.
 *
 * @param from the follower
 * @param to the leader
 * @param term the follower's term
 * @param requestId an id unique on the sender, echoed in the response
 */
public record ReadIndexRequest(NodeId from, NodeId to, long term, long requestId)
    implements RaftMessage {}
