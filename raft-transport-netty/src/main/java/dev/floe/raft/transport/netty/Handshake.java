package dev.floe.raft.transport.netty;

import dev.floe.raft.NodeId;

/**
 * The first frame on every connection: who dials, in which cluster, speaking which protocol.
 *
 * @param version the dialer's protocol version
 * @param clusterId the dialer's cluster id
 * @param nodeId the dialer's node id; every message on the connection must come from it
 */
record Handshake(int version, String clusterId, NodeId nodeId) {}
