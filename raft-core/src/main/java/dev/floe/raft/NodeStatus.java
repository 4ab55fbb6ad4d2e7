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
package dev.floe.raft;

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.internal.core.RaftCore;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.SnapshotStore;
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
  /** The snapshot store, or null: its latest() is a cached value, cheap to read. */
  private final SnapshotStore snapshots;
  private volatile RaftStatus current;
  /** Requests waiting for their outcome, as of the last publish (for the metrics). */
  private volatile int pendingRequests;
  /** On a leader, each follower's time since its last answer, as of the last tick. */
  private volatile Map<NodeId, Long> silenceNanos = Map.of();
  /** Event loop only: the configuration the published member lists were made from. */
  private Configuration publishedConfiguration;

  NodeStatus(NodeId self, List<NodeId> founders, SnapshotStore snapshots) {
    this.self = self;
    this.snapshots = snapshots;
    this.current = new RaftStatus(self, Role.FOLLOWER, 0, Optional.empty(), 0, 0, 0, 0,
        founders == null ? List.of() : List.copyOf(new java.util.TreeSet<>(founders)), List.of(),
        Map.of(), Optional.empty());
  }

  RaftStatus current() {
    return current;
  }

  long pendingRequests() {
    return pendingRequests;
  }

  long silenceMillis(NodeId member) {
    return silenceNanos.getOrDefault(member, 0L) / 1_000_000;
  }

  /** Event loop: the figures only the metrics read. */
  void publishForMetrics(int pending, boolean withProgress, RaftCore c) {
    pendingRequests = pending;
    if (withProgress) {
      silenceNanos = c.silenceNanos();
    }
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
        c.commitIndex(), c.appliedIndex(), c.lastIndex(),
        snapshots == null ? 0 : snapshots.latest().map(SnapshotMeta::index).orElse(0L),
        voters, learners, matches,
        Optional.ofNullable(failure).map(Throwable::getMessage));
  }
}
