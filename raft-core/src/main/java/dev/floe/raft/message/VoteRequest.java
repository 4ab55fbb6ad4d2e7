package dev.floe.raft.message;

import dev.floe.raft.cluster.NodeId;

/**
 * RequestVote (Raft §5.2), or a pre-vote probe (thesis §9.6) that changes no one's term or vote.
 *
 * @param from the candidate
 * @param to the voter
 * @param term the candidate's term; for a pre-vote, the term it would campaign in
 * @param lastLogIndex index of the candidate's last log entry
 * @param lastLogTerm term of the candidate's last log entry
 * @param preVote whether this is a pre-vote probe
 * @param leadershipTransfer whether the election was started by a leadership transfer, which lets
 *     voters disregard the current leader's lease
 */
public record VoteRequest(
    NodeId from,
    NodeId to,
    long term,
    long lastLogIndex,
    long lastLogTerm,
    boolean preVote,
    boolean leadershipTransfer)
    implements RaftMessage {}
