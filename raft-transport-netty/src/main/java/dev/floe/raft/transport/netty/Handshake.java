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
import java.util.Objects;

/**
 * The first frame on every connection: who dials, in which cluster, speaking which protocol
 * versions, and which of its two connections to the acceptor this is.
 *
 * <p>A handshake of version 4 and before offers one exact version ({@code versions} is a range of
 * one, and {@link #exact()} is true); from version 5 on it offers a range, and the acceptor answers
 * it with the version the connection speaks (see {@link WireFormat}).
 *
 * @param versions the protocol versions the dialer offers
 * @param clusterId the dialer's cluster id
 * @param nodeId the dialer's node id; every message on the connection must come from it
 * @param lane the lane the connection carries
 */
record Handshake(ProtocolVersions versions, String clusterId, NodeId nodeId, Lane lane) {

  Handshake {
    Objects.requireNonNull(versions, "versions");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(lane, "lane");
    if (versions.max() <= WireFormat.EXACT_HANDSHAKE_VERSION && versions.min() != versions.max()) {
      throw new IllegalArgumentException("a handshake of version " + versions.max()
          + " offers one exact version, not " + versions);
    }
  }

  /** A handshake of the control lane offering exactly {@code version}. */
  Handshake(int version, String clusterId, NodeId nodeId) {
    this(ProtocolVersions.exactly(version), clusterId, nodeId, Lane.CONTROL);
  }

  /**
   * Returns whether this is a handshake of the old kind, offering one exact version and never
   * answered on success (version 4 and before).
   */
  boolean exact() {
    return versions.max() <= WireFormat.EXACT_HANDSHAKE_VERSION;
  }
}
