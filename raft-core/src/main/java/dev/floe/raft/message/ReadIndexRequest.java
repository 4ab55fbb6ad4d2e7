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
 * A follower asks the leader for a read index so that it can serve a linearizable read itself.
 *
 * @param from the follower
 * @param to the leader
 * @param term the follower's term
 * @param requestId an id unique on the sender, echoed in the response
 */
public record ReadIndexRequest(NodeId from, NodeId to, long term, long requestId)
    implements RaftMessage {}
