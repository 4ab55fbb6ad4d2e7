package dev.floe.raft.transport.netty;

import dev.floe.raft.cluster.NodeId;

/**
 * The acceptor's answer to a handshake of version 5 or later that it accepts: the protocol version
 * the connection speaks from now on (the highest both sides speak), and who accepted it, so that
 * the dialer can tell that it reached the node it meant to.
 *
 * @param version the version the connection speaks
 * @param nodeId the acceptor's node id
 */
record Accept(int version, NodeId nodeId) {}
