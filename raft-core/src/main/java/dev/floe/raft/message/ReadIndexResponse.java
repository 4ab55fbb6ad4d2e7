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
