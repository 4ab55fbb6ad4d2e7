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
