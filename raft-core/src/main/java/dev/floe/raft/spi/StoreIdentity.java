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
package dev.floe.raft.spi;

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import java.util.Objects;

/**
 * What a data directory records about whom it belongs to, written once, by the node's first start,
 * before anything else: the cluster, the node, and the membership the cluster was founded with.
 * Every later start compares it with the node's settings and refuses to run on a mismatch.
 *
 * @param clusterId the cluster the store belongs to
 * @param nodeId the node the store belongs to
 * @param bootstrap the voters the cluster was founded with, if this node was one of its founding
 *     members; {@link Configuration#empty()} if it joined a running cluster. It is the membership in
 *     effect before the first configuration entry of the log (and stays so after compaction, until
 *     a snapshot records another).
 */
public record StoreIdentity(ClusterId clusterId, NodeId nodeId, Configuration bootstrap) {
  /**
   * Checks that no part is missing.
   *
   * @param clusterId the cluster the store belongs to
   * @param nodeId the node it belongs to
   * @param bootstrap the founding voters, or {@link Configuration#empty()} for a node that joined a
   *     running cluster
   */
  public StoreIdentity {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(bootstrap, "bootstrap");
  }

  /** {@return whether the node founded the cluster (rather than joining it later)} */
  public boolean founder() {
    return !bootstrap.isEmpty();
  }
}
