package dev.floe.raft.message;

import dev.floe.raft.cluster.NodeId;

/**
 * The answer to an {@link InstallSnapshotRequest} chunk.
 *
 * @param from the follower
 * @param to the leader
 * @param term the follower's term
 * @param snapshotIndex the snapshot being installed
 * @param nextOffset the next byte offset the follower expects; the leader resumes from there
 * @param done whether the follower has installed the whole snapshot (durably)
 * @param round the {@code round} of the request answered
 */
public record InstallSnapshotResponse(
    NodeId from, NodeId to, long term, long snapshotIndex, long nextOffset, boolean done,
    long round)
    implements RaftMessage {}
