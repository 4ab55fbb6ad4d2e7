package dev.floe.raft.message;

import dev.floe.raft.cluster.NodeId;

/**
 * Sent by a leader transferring its leadership (thesis §3.10): the receiver starts an election at
 * once, without waiting for its election timeout and without a pre-vote.
 *
 * @param from the leader
 * @param to the transfer's target
 * @param term the leader's term
 */
public record TimeoutNow(NodeId from, NodeId to, long term) implements RaftMessage {}
