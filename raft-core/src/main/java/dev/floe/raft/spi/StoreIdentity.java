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
