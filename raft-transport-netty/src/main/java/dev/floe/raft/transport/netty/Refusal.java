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
package dev.floe.raft.transport.netty;

import dev.floe.raft.cluster.NodeId;

/**
 * The acceptor's answer to a well-formed handshake it refuses: why, sent just before it closes the
 * connection, so that the dialer can say why it cannot reach its peer instead of redialing
 * blindly. It is sent only for a well-formed handshake (another cluster, a node that is not a
 * peer, no protocol version in common, a TLS certificate that does not name the claimed node);
 * malformed input is closed on without a word.
 *
 * <p>It names the acceptor, which tells nothing secret: the cluster id guards against mistakes
 * (a copied data directory, two clusters on the same hosts), not against attackers; mutual TLS
 * does that.
 *
 * @param reason {@link WireFormat#REFUSED_OTHER_CLUSTER}, {@link WireFormat#REFUSED_UNKNOWN_NODE},
 *     {@link WireFormat#REFUSED_VERSION}, {@link WireFormat#REFUSED_IDENTITY}, or a code of a
 *     later version
 * @param clusterId the acceptor's cluster id
 * @param nodeId the acceptor's node id
 * @param acceptorVersions for {@link WireFormat#REFUSED_VERSION}, the versions the acceptor
 *     speaks; null otherwise
 * @param dialerVersions for {@link WireFormat#REFUSED_VERSION}, the versions the acceptor read in
 *     the dialer's handshake; null otherwise
 */
record Refusal(int reason, String clusterId, NodeId nodeId, ProtocolVersions acceptorVersions,
    ProtocolVersions dialerVersions) {

  Refusal {
    if ((reason == WireFormat.REFUSED_VERSION) != (acceptorVersions != null)
        || (acceptorVersions == null) != (dialerVersions == null)) {
      throw new IllegalArgumentException(
          "a refusal carries both sides' versions if and only if its reason is the version");
    }
  }

  /** A refusal for any reason but the version. */
  Refusal(int reason, String clusterId, NodeId nodeId) {
    this(reason, clusterId, nodeId, null, null);
  }

  /** A refusal because the two sides speak no version in common. */
  static Refusal ofVersions(String clusterId, NodeId nodeId, ProtocolVersions acceptor,
      ProtocolVersions dialer) {
    return new Refusal(WireFormat.REFUSED_VERSION, clusterId, nodeId, acceptor, dialer);
  }

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
    switch (reason) {
      case WireFormat.REFUSED_OTHER_CLUSTER -> b.append("cluster id mismatch: found cluster '")
          .append(clusterId).append("' there, expected '").append(selfClusterId)
          .append("' (this node's)");
      case WireFormat.REFUSED_UNKNOWN_NODE -> b.append("it (cluster '").append(clusterId)
          .append("') does not know ").append(self).append(" as a peer");
      case WireFormat.REFUSED_VERSION -> b.append("no protocol version in common: it speaks ")
          .append(versionsWord(acceptorVersions)).append(", this node offered ")
          .append(versionsWord(dialerVersions))
          .append("; upgrade the older node (each version speaks the one before it)");
      case WireFormat.REFUSED_IDENTITY -> b.append("the TLS certificate this node presented does "
          + "not name ").append(self).append(" (it must carry the subject alternative name ")
          .append(NodeIdentity.uriOf(self)).append(')');
      default -> b.append("for a reason this version does not know (code ").append(reason)
          .append("; cluster '").append(clusterId).append("')");
    }
    return b.toString();
  }

  /** {@code "version 4"} or {@code "versions 4 to 5"}. */
  static String versionsWord(ProtocolVersions v) {
    return (v.min() == v.max() ? "version " : "versions ") + v;
  }
}
