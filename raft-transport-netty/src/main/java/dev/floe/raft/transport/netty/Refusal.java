package dev.floe.raft.transport.netty;

import dev.floe.raft.cluster.NodeId;

/**
 * The one frame an acceptor ever sends: why it refuses the connection's handshake, sent just
 * before it closes the connection, so that the dialer can say why it cannot reach its peer instead
 * of redialing blindly. It is sent only for a well-formed handshake (another cluster, a node that
 * is not a peer); malformed input is closed on without a word.
 *
 * <p>It names the acceptor, which tells nothing secret: the cluster id guards against mistakes
 * (a copied data directory, two clusters on the same hosts), not against attackers; mutual TLS
 * does that.
 *
 * @param reason {@link WireFormat#REFUSED_OTHER_CLUSTER}, {@link WireFormat#REFUSED_UNKNOWN_NODE},
 *     or a code of a later version
 * @param clusterId the acceptor's cluster id
 * @param nodeId the acceptor's node id
 */
record Refusal(int reason, String clusterId, NodeId nodeId) {

  /**
   * Says, from the dialer's side, why {@code peer} refused: for example {@code n2 at 127.0.0.1:7002
   * refuses this node's connections: cluster id mismatch: found cluster 'b' there, expected 'a'
   * (this node's)}.
   *
   * @param peer the node the dialer meant to reach
   * @param address where it dialed
   * @param self the dialer
   * @param selfClusterId the dialer's cluster id
   */
  String explain(NodeId peer, String address, NodeId self, String selfClusterId) {
    StringBuilder b = new StringBuilder()
        .append(peer).append(" at ").append(address).append(" refuses this node's connections: ");
    if (!nodeId.equals(peer)) {
      b.append("the node listening there is ").append(nodeId).append(", not ").append(peer)
          .append("; ");
    }
    if (reason == WireFormat.REFUSED_OTHER_CLUSTER) {
      b.append("cluster id mismatch: found cluster '").append(clusterId).append("' there, expected '")
          .append(selfClusterId).append("' (this node's)");
    } else if (reason == WireFormat.REFUSED_UNKNOWN_NODE) {
      b.append("it (cluster '").append(clusterId).append("') does not know ").append(self)
          .append(" as a peer");
    } else {
      b.append("for a reason this version does not know (code ").append(reason)
          .append("; cluster '").append(clusterId).append("')");
    }
    return b.toString();
  }
}
