package dev.floe.raft;

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.internal.core.RaftCore;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's published status: written by the event loop after every batch of effects, read by any
 * thread ({@link RaftNode#status()}). The costlier parts are reused while unchanged: the member
 * lists until the configuration changes, and a leader's match indexes, refreshed on each tick and
 * role change.
 */
final class NodeStatus {
  private final NodeId self;
  private volatile RaftStatus current;
  /** Event loop only: the configuration the published member lists were made from. */
  private Configuration publishedConfiguration;

  NodeStatus(NodeId self, List<NodeId> founders) {
    this.self = self;
    this.current = new RaftStatus(self, Role.FOLLOWER, 0, Optional.empty(), 0, 0, 0,
        founders == null ? List.of() : List.copyOf(new java.util.TreeSet<>(founders)), List.of(),
        Map.of(), Optional.empty());
  }

  RaftStatus current() {
    return current;
  }

  /**
   * Publishes the core's state (on the event loop).
   *
   * @param withProgress whether to refresh a leader's match indexes
   * @param failure why the node stopped, or {@code null}
   */
  void publish(RaftCore c, boolean withProgress, Throwable failure) {
    RaftStatus previous = current;
    Role role = failure != null ? Role.STOPPED : c.role();
    Configuration conf = c.configuration();
    List<NodeId> voters = previous.members();
    List<NodeId> learners = previous.learners();
    if (conf != publishedConfiguration) {
      publishedConfiguration = conf;
      voters = List.copyOf(conf.voters());
      learners = List.copyOf(conf.learners());
    }
    Map<NodeId, Long> matches = withProgress || role != previous.role()
        ? c.matchIndexes() : previous.matchIndexes();
    current = new RaftStatus(self, role, c.term(), Optional.ofNullable(c.leader()),
        c.commitIndex(), c.appliedIndex(), c.lastIndex(), voters, learners, matches,
        Optional.ofNullable(failure).map(Throwable::getMessage));
  }
}
