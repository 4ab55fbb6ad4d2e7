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
package dev.floe.raft.sim;

import dev.floe.raft.RaftOptions;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A calm phase under load, within {@link Simulation}'s fault phase: the faults stop, every machine
 * runs, the network is healthy (no cut link, no loss, no message held long, no pause, no late
 * timer), while the disks stay slow and clients submit commands up to the largest size. Once the
 * cluster has settled (a leader that every member follows, and no membership change under way),
 * a window of it is watched by a {@link LeadershipWatch}: any leader change in it is a violation,
 * "leadership is stable under load".
 *
 * <p>Used on the simulator's one thread only.
 */
final class CalmPhase {
  /** How long the cluster may take to settle before the phase is given up (counted). */
  static final long SETTLE_MAX_MILLIS = 10_000;

  /** A leader, its term and the members that follow it. */
  private record Leadership(NodeId leader, long term, Set<NodeId> members) {}

  private final SimCluster cluster;
  private final RaftOptions options;
  private boolean underWay;
  private long windows;
  private long unsettled;
  private long leaderChanges;

  CalmPhase(SimCluster cluster, RaftOptions options) {
    this.cluster = cluster;
    this.options = options;
  }

  /** Whether a calm phase is under way: clients then submit large commands too. */
  boolean underWay() {
    return underWay;
  }

  /** Calm windows watched so far. */
  long windows() {
    return windows;
  }

  /** Calm phases given up because the cluster did not settle in time. */
  long unsettled() {
    return unsettled;
  }

  /** Calm windows in which the leader changed (each also a violation). */
  long leaderChanges() {
    return leaderChanges;
  }

  /**
   * Runs a calm phase: heals everything, restarts every machine that is down, waits for the
   * cluster to settle, then watches it for {@code windowMillis}.
   *
   * @param endEdgeFaults ends the faults at the edges (pauses, late timers, long delays)
   * @param changePending whether a membership change is under way
   * @param conditions what the phase is like (disks, command sizes), for the violation's text
   */
  void run(Runnable endEdgeFaults, BooleanSupplier changePending, long windowMillis,
      String conditions) {
    cluster.note("calm phase under load begins: " + conditions);
    endEdgeFaults.run();
    cluster.heal();
    cluster.setLossAndDuplication(0, 0);
    cluster.setLongDelays(0, 0, 0);
    for (NodeId id : cluster.ids()) {
      if (!cluster.isUp(id)) {
        cluster.restart(id);
      }
    }
    underWay = true;
    try {
      Leadership settled = settle(changePending);
      if (settled == null) {
        unsettled++;
        cluster.note("calm phase given up: the cluster did not settle within "
            + SETTLE_MAX_MILLIS + " ms: " + whyUnsettled(changePending));
        return;
      }
      LeadershipWatch watch = new LeadershipWatch(cluster, settled.leader(), settled.term(),
          settled.members(), conditions);
      cluster.watch(watch);
      cluster.runFor(windowMillis);
      cluster.watch(null);
      windows++;
      if (watch.broken()) {
        leaderChanges++;
      }
    } finally {
      underWay = false;
      cluster.note("calm phase under load ends");
    }
  }

  /**
   * Runs until a leader that every member follows has held for two election timeouts (so that a
   * transfer or an election begun before the phase is over), or gives up.
   *
   * @return that leadership, or null if there was none within {@link #SETTLE_MAX_MILLIS}
   */
  private Leadership settle(BooleanSupplier changePending) {
    long deadline = cluster.nowMillis() + SETTLE_MAX_MILLIS;
    long grace = 2 * options.electionTimeoutMaxMillis();
    while (cluster.nowMillis() < deadline) {
      if (!cluster.runUntil(() -> current(changePending) != null,
          deadline - cluster.nowMillis())) {
        return null;
      }
      Leadership before = current(changePending);
      cluster.runFor(grace);
      Leadership after = current(changePending);
      if (before.equals(after)) {
        return after;
      }
    }
    return null;
  }

  /** The leadership every member follows now, with nothing left of the faults; else null. */
  private Leadership current(BooleanSupplier changePending) {
    if (whyUnsettled(changePending) != null) {
      return null;
    }
    NodeId leader = cluster.leader().orElseThrow();
    return new Leadership(leader, cluster.status(leader).term(),
        cluster.configuration(leader).members());
  }

  /** Why there is no leadership that every member follows now, or null if there is. */
  private String whyUnsettled(BooleanSupplier changePending) {
    if (changePending.getAsBoolean()) {
      return "a membership change is under way";
    }
    if (cluster.nowMillis() <= cluster.longDelaysDueMillis()) {
      return "messages held long are still due";
    }
    Optional<NodeId> leader = cluster.leader();
    if (leader.isEmpty()) {
      return "no leader";
    }
    long term = cluster.status(leader.get()).term();
    Configuration members = cluster.configuration(leader.get());
    for (NodeId m : members.members()) {
      if (!cluster.ids().contains(m) || !cluster.isUp(m)) {
        return "member " + m + " is down";
      }
      RaftStatus s = cluster.status(m);
      if (s.term() != term || !s.leader().equals(leader)) {
        return "member " + m + " does not follow " + leader.get() + " in term " + term + ": "
            + s;
      }
    }
    return null;
  }
}
