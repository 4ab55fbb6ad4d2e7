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
 * A message between two Floe nodes. The set of messages is closed: a transport encodes each of the
 * permitted records, and the core handles each of them.
 *
 * <p>Every message names its sender, its receiver and the sender's current term. Messages are
 * immutable by contract; arrays they carry are not copied and must not be modified.
 */
public sealed interface RaftMessage
    permits VoteRequest,
        VoteResponse,
        AppendRequest,
        AppendResponse,
        InstallSnapshotRequest,
        InstallSnapshotResponse,
        TimeoutNow,
        ForwardRequest,
        ForwardResponse,
        ReadIndexRequest,
        ReadIndexResponse {

  /** {@return the sender} */
  NodeId from();

  /** {@return the receiver} */
  NodeId to();

  /** {@return the sender's current term (for a pre-vote request: the term it would campaign in)} */
  long term();
}
