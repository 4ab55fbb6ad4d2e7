package dev.floe.raft.transport.netty;

import dev.floe.raft.cluster.NodeId;

/**
 * The first frame on every connection: who dials, in which cluster, speaking which protocol, and
 * which of its two connections to the acceptor this is.
 *
 * @param version the dialer's protocol version
 * @param clusterId the dialer's cluster id
 * @param nodeId the dialer's node id; every message on the connection must come from it
 * @param lane the lane the connection carries
 */
record Handshake(int version, String clusterId, NodeId nodeId, Lane lane) {
  /** A handshake of the control lane. */
  Handshake(int version, String clusterId, NodeId nodeId) {
    this(version, clusterId, nodeId, Lane.CONTROL);
  }
}
