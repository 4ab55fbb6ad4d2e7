package dev.floe.raft.message;

import dev.floe.raft.cluster.NodeId;

/**
 * The answer to a {@link VoteRequest}.
 *
 * @param from the voter
 * @param to the candidate
 * @param term the voter's term; for a granted pre-vote, the term of the request
 * @param granted whether the vote (or pre-vote) is granted
 * @param preVote whether this answers a pre-vote probe
 */
public record VoteResponse(NodeId from, NodeId to, long term, boolean granted, boolean preVote)
    implements RaftMessage {}
