/*
 * Copyright The Floe authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
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
