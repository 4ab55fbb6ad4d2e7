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
import dev.floe.raft.internal.core.RoleChange;
import dev.floe.raft.spi.MetricsSink;
import dev.floe.raft.spi.MonotonicClock;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meters of one node, asked of its {@link MetricsSink} once, and what the node measures into
 * them. With {@link MetricsSink#NONE} nothing is measured: {@link #enabled} is false and the hot
 * path skips its clock readings. Recording methods are called from the threads named on each;
 * the gauges read only published values ({@link NodeStatus}), so any thread may read them.
 */
final class NodeMetrics {
  private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);

  /** The outcomes a request is counted under. */
  enum Outcome { OK, NOT_LEADER, COMMIT_UNKNOWN, OVERLOADED, TOO_LARGE, STOPPED, TIMEOUT, FAILED }

  final boolean enabled;
  private final MetricsSink sink;
  private final MonotonicClock clock;
  private final NodeId self;
  private final Map<String, String> tags;
  private final MetricsSink.Timer submitCommit;
  private final MetricsSink.Timer commitApply;
  private final MetricsSink.Timer sync;
  private final MetricsSink.Distribution entriesPerSync;
  private final MetricsSink.Counter campaigns;
  private final MetricsSink.Counter leaderships;
  private final MetricsSink.Counter leaderChanges;
  private final MetricsSink.Timer snapshotTaken;
  private final MetricsSink.Distribution snapshotTakenBytes;
  private final MetricsSink.Timer snapshotInstalled;
  private final MetricsSink.Distribution snapshotInstalledBytes;
  /** Requests by kind (0 submit, 1 query) and outcome ordinal. */
  private final MetricsSink.Counter[][] requests =
      new MetricsSink.Counter[2][Outcome.values().length];
  /** Event loop only: the per-follower gauges, by member. */
  private final Map<NodeId, AutoCloseable[]> memberGauges = new TreeMap<>();
  /** Event loop only. */
  private NodeId lastLeader;

  NodeMetrics(NodeId self, MetricsSink sink, MonotonicClock clock) {
    this.enabled = sink != MetricsSink.NONE;
    this.sink = sink;
    this.clock = clock;
    this.self = self;
    this.tags = Map.of("node", self.value());
    submitCommit = sink.timer("floe.submit.commit.latency",
        "from a submit on this node to its entry known committed here", tags);
    commitApply = sink.timer("floe.commit.apply.latency",
        "from a batch of entries known committed to its applied, on the apply thread", tags);
    sync = sink.timer("floe.log.sync.latency",
        "from the node's sync request to the log store until its writes are durable", tags);
    entriesPerSync = sink.distribution("floe.log.sync.entries",
        "entries written per sync the node asks of its log store", "entries", tags);
    campaigns = sink.counter("floe.elections.campaigns",
        "campaigns this node started (after a timeout or when handed the leadership)", tags);
    leaderships = sink.counter("floe.elections.won", "elections this node won", tags);
    leaderChanges = sink.counter("floe.leader.changes",
        "times this node learned of a leader other than the one it knew", tags);
    snapshotTaken = sink.timer("floe.snapshot.take.duration", "taking a snapshot",
        with("kind", "taken"));
    snapshotTakenBytes = sink.distribution("floe.snapshot.size", "a snapshot's size", "bytes",
        with("kind", "taken"));
    snapshotInstalled = sink.timer("floe.snapshot.install.duration",
        "receiving and installing a leader's snapshot", with("kind", "installed"));
    snapshotInstalledBytes = sink.distribution("floe.snapshot.size", "a snapshot's size",
        "bytes", with("kind", "installed"));
    String[] kinds = {"submit", "query"};
    for (int k = 0; k < kinds.length; k++) {
      for (Outcome o : Outcome.values()) {
        String outcome = o.name().toLowerCase(java.util.Locale.ROOT);
        requests[k][o.ordinal()] = sink.counter("floe.requests",
            "requests by kind and outcome", with("kind", kinds[k], "outcome", outcome));
      }
    }
  }

  private Map<String, String> with(String... keysAndValues) {
    Map<String, String> t = new HashMap<>(tags);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      t.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return Map.copyOf(t);
  }

  /** The node's clock, for a measurement's start (0 when disabled). */
  long now() {
    return enabled ? clock.nanos() : 0;
  }

  /** The gauges read from the published status (called once, at start). */
  void registerGauges(NodeStatus status) {
    gauge("floe.term", "the node's current term", "terms", () -> status.current().term());
    gauge("floe.commit.index", "the highest index known committed", "entries",
        () -> status.current().commitIndex());
    gauge("floe.applied.index", "the highest index applied", "entries",
        () -> status.current().appliedIndex());
    gauge("floe.log.last.index", "the index of the last log entry", "entries",
        () -> status.current().lastIndex());
    gauge("floe.snapshot.index", "the last index the latest snapshot covers", "entries",
        () -> status.current().snapshotIndex());
    gauge("floe.apply.backlog", "entries known committed and not yet applied", "entries", () -> {
      RaftStatus s = status.current();
      return Math.max(0, s.commitIndex() - s.appliedIndex());
    });
    gauge("floe.requests.pending", "requests waiting for their outcome on this node",
        "requests", status::pendingRequests);
    gauge("floe.role", "0 follower, 1 candidate, 2 leader, 3 stopped (a failure)", "role",
        () -> status.current().role().ordinal());
    gauge("floe.leader", "1 while a leader is known, else 0", "boolean",
        () -> status.current().leader().isPresent() ? 1 : 0);
  }

  private AutoCloseable gauge(String name, String description, String unit, LongSupplier value) {
    return gauge(name, description, unit, tags, value);
  }

  private AutoCloseable gauge(String name, String description, String unit,
      Map<String, String> tags, LongSupplier value) {
    return sink.gauge(name, description, unit, tags, value);
  }

  /** Event loop: a configuration took effect; each member other than this node has its gauges. */
  void membersChanged(Configuration configuration, NodeStatus status) {
    if (!enabled) {
      return;
    }
    for (NodeId member : configuration.members()) {
      if (!member.equals(self) && !memberGauges.containsKey(member)) {
        Map<String, String> peer = with("peer", member.value());
        memberGauges.put(member, new AutoCloseable[] {
            gauge("floe.replication.lag.entries", "on the leader: entries the follower lacks",
                "entries", peer, () -> status.current().lag().getOrDefault(member, 0L)),
            gauge("floe.replication.silence", "on the leader: ms since the follower last answered",
                "milliseconds", peer, () -> status.silenceMillis(member))});
      }
    }
    memberGauges.entrySet().removeIf(e -> {
      if (configuration.contains(e.getKey())) {
        return false;
      }
      for (AutoCloseable g : e.getValue()) {
        closeQuietly(g);
      }
      return true;
    });
  }

  /** Removes the gauges (the node stopped). */
  void close() {
    memberGauges.values().forEach(gs -> {
      for (AutoCloseable g : gs) {
        closeQuietly(g);
      }
    });
    memberGauges.clear();
  }

  private void closeQuietly(AutoCloseable g) {
    try {
      g.close();
    } catch (Exception e) {
      log.warn("{}: removing a gauge failed", self, e);
    }
  }

  /** Event loop: a submit started at {@code startNanos} was found committed now. */
  void committed(long startNanos) {
    if (startNanos != 0) {
      submitCommit.record(clock.nanos() - startNanos);
    }
  }

  /** Apply thread: a batch handed over at {@code handedNanos} is applied. */
  void applied(long handedNanos) {
    if (handedNanos != 0) {
      commitApply.record(clock.nanos() - handedNanos);
    }
  }

  /** Event loop: a sync is asked for, with {@code entries} new entries written before it. */
  void syncRequested(int entries) {
    entriesPerSync.record(entries);
  }

  /** The log store's thread: the sync asked at {@code startNanos} completed. */
  void synced(long startNanos) {
    sync.record(clock.nanos() - startNanos);
  }

  /** Event loop: the core changed the node's role. */
  void roleChanged(RoleChange c) {
    if (c.role() == Role.CANDIDATE && c.reason() != RoleChange.Reason.PRE_VOTE_WON) {
      campaigns.increment(1);
    }
    if (c.role() == Role.LEADER) {
      leaderships.increment(1);
    }
    if (c.leader() != null && !c.leader().equals(lastLeader)) {
      if (lastLeader != null) {
        leaderChanges.increment(1);
      }
      lastLeader = c.leader();
    }
  }

  /** Any thread: a snapshot event. */
  void snapshot(NodeEvent event) {
    if (event instanceof NodeEvent.SnapshotTaken t) {
      snapshotTaken.record(t.took().toNanos());
      snapshotTakenBytes.record(t.sizeBytes());
    } else if (event instanceof NodeEvent.SnapshotInstalled i) {
      snapshotInstalled.record(i.took().toNanos());
      snapshotInstalledBytes.record(i.sizeBytes());
    }
  }

  /** Any thread: a submit ended; {@code error} is null on success. */
  void submitEnded(Throwable error) {
    requests[0][outcomeOf(error).ordinal()].increment(1);
  }

  /** Any thread: a query ended; {@code error} is null on success. */
  void queryEnded(Throwable error) {
    requests[1][outcomeOf(error).ordinal()].increment(1);
  }

  private static Outcome outcomeOf(Throwable error) {
    Throwable e = error instanceof java.util.concurrent.CompletionException && error.getCause()
        != null ? error.getCause() : error;
    if (e == null) {
      return Outcome.OK;
    } else if (e instanceof NotLeaderException) {
      return Outcome.NOT_LEADER;
    } else if (e instanceof CommitUnknownException) {
      return Outcome.COMMIT_UNKNOWN;
    } else if (e instanceof OverloadedException) {
      return Outcome.OVERLOADED;
    } else if (e instanceof CommandTooLargeException) {
      return Outcome.TOO_LARGE;
    } else if (e instanceof NodeStoppedException) {
      return Outcome.STOPPED;
    } else if (e instanceof java.util.concurrent.TimeoutException) {
      return Outcome.TIMEOUT;
    }
    return Outcome.FAILED;
  }
}
