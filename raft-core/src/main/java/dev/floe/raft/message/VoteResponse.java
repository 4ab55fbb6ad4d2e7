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
