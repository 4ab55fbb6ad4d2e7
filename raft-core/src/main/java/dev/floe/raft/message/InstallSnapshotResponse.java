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
