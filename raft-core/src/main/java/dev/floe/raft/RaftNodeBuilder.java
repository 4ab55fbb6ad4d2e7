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

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.EventLoop;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.MetricsSink;
import dev.floe.raft.spi.MonotonicClock;
import dev.floe.raft.spi.SnapshotStore;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.spi.Transport;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * Builds a {@link RaftNode}: obtained from {@link RaftNode#builder()}. The id, the state machine,
 * the transport and the log store are required; on a node's first start also the cluster id and
 * either the founding members or {@link #join()}. Not thread-safe.
 */
public final class RaftNodeBuilder {
  private NodeId id;
  private ClusterId clusterId;
  private List<NodeId> members;
  private boolean joining;
  private MonotonicClock clock = MonotonicClock.SYSTEM;
  private StateMachine stateMachine;
  private Transport transport;
  private LogStore logStore;
  private RaftOptions options = RaftOptions.defaults();
  private EventLoop eventLoop;
  private Executor applyExecutor;
  private RandomGenerator random;
  private SnapshotStore snapshotStore;
  private SnapshotOptions snapshotOptions = SnapshotOptions.defaults();
  private RaftListener listener;
  private MetricsSink metrics = MetricsSink.NONE;
  private Path restoreFrom;

  RaftNodeBuilder() {}

  /**
   * Where snapshots go, and when to take them (optional): with them, the node snapshots its state
   * machine, compacts its log and brings far-behind followers up to date by InstallSnapshot.
   * The state machine must then implement {@link StateMachine#snapshot} and {@link
   * StateMachine#restore}.
   *
   * @param store the snapshot store, for instance a {@code FileSnapshotStore} in the data directory
   * @param options when to snapshot, and the chunk size for sending snapshots
   * @return this builder
   */
  public RaftNodeBuilder snapshots(SnapshotStore store, SnapshotOptions options) {
    this.snapshotStore = Objects.requireNonNull(store, "store");
    this.snapshotOptions = Objects.requireNonNull(options, "options");
    return this;
  }

  /**
   * This node's id; it must be one of the members.
   *
   * @param id the node's id
   * @return this builder
   */
  public RaftNodeBuilder id(NodeId id) {
    this.id = id;
    return this;
  }

  /**
   * The cluster this node belongs to: the id chosen when the cluster was founded ({@link
   * ClusterId#random()}), the same on every member. Needed on the node's first start, which
   * records it in the data directory; a later start takes it from there, and checks it if given.
   * The transport checks it on every connection.
   *
   * @param clusterId the cluster's id
   * @return this builder
   */
  public RaftNodeBuilder clusterId(ClusterId clusterId) {
    this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
    return this;
  }

  /**
   * The voters a new cluster is founded with, this node included. On the node's first start they
   * are recorded in its data directory; from then on the stored membership rules (changed only
   * through the log, by {@link RaftNode#addVoter} and {@link RaftNode#removeMember}), so later
   * starts need no members. Members given on a later start are checked: they must be the founding
   * members or the voters in effect, or the start fails.
   *
   * @param members the founding voters, this node among them
   * @return this builder
   */
  public RaftNodeBuilder members(List<NodeId> members) {
    this.members = List.copyOf(members);
    return this;
  }

  /**
   * Starts this node with no membership, to enter a running cluster: it takes no part in
   * elections and waits until the leader adds it ({@link RaftNode#addVoter} or {@link
   * RaftNode#addLearner}) and replicates the log to it. Instead of {@link #members}; needed only
   * on the first start (a later start may repeat it).
   *
   * @return this builder
   */
  public RaftNodeBuilder join() {
    this.joining = true;
    return this;
  }

  /**
   * Founds a new cluster from a backup ({@link Backup#write}): on its first start, this node
   * installs the backup's state as its first snapshot, at the backup's index and term, with a
   * membership of this node alone, and its log starts after it. Grow the cluster from there with
   * {@link RaftNode#addVoter}. Only for a node founding a cluster of itself alone ({@code
   * members(List.of(id))}, a new {@link #clusterId}) on new, empty stores, with {@link
   * #snapshots}; the start refuses a store that holds anything (nothing is overwritten), and a
   * backup file that is damaged, truncated or not a backup (nothing is written then). Give it on
   * that first start only: a later start would be refused.
   *
   * @param backupFile the backup file to start from
   * @return this builder
   */
  public RaftNodeBuilder restoreFrom(Path backupFile) {
    this.restoreFrom = Objects.requireNonNull(backupFile, "backupFile");
    return this;
  }

  /**
   * The monotonic clock that leases and the refusal to vote are measured with (optional, for
   * simulation; {@link MonotonicClock#SYSTEM} otherwise).
   *
   * @param clock the clock
   * @return this builder
   */
  public RaftNodeBuilder clock(MonotonicClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * The application's state machine; it must start empty.
   *
   * @param stateMachine the state machine
   * @return this builder
   */
  public RaftNodeBuilder stateMachine(StateMachine stateMachine) {
    this.stateMachine = stateMachine;
    return this;
  }

  /**
   * How this node reaches the others.
   *
   * @param transport the transport, started and closed by the node
   * @return this builder
   */
  public RaftNodeBuilder transport(Transport transport) {
    this.transport = transport;
    return this;
  }

  /**
   * Where this node keeps its log.
   *
   * @param logStore the log store, opened and closed by the node
   * @return this builder
   */
  public RaftNodeBuilder logStore(LogStore logStore) {
    this.logStore = logStore;
    return this;
  }

  /**
   * Tunables (optional; {@link RaftOptions#defaults()} otherwise).
   *
   * @param options the options
   * @return this builder
   */
  public RaftNodeBuilder options(RaftOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    return this;
  }

  /**
   * The event loop and apply executor to run on (optional, for simulation and tests): by default
   * the node starts one thread for each. The executor must run tasks one at a time, in order.
   *
   * @param eventLoop the loop the node's consensus logic runs on
   * @param applyExecutor the executor the state machine is called on
   * @return this builder
   */
  public RaftNodeBuilder threads(EventLoop eventLoop, Executor applyExecutor) {
    this.eventLoop = Objects.requireNonNull(eventLoop, "eventLoop");
    this.applyExecutor = Objects.requireNonNull(applyExecutor, "applyExecutor");
    return this;
  }

  /**
   * The source of randomness for election timeouts (optional; seeded from entropy otherwise).
   *
   * @param random the random source
   * @return this builder
   */
  public RaftNodeBuilder random(RandomGenerator random) {
    this.random = Objects.requireNonNull(random, "random");
    return this;
  }

  /**
   * Builds the node (not yet started).
   *
   * @return the node, to {@link RaftNode#start()}
   * @throws NullPointerException if a required setting is missing
   * @throws IllegalArgumentException if the settings are inconsistent
   */
  public RaftNode build() {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(stateMachine, "stateMachine");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(logStore, "logStore");
    if (joining && members != null) {
      throw new IllegalArgumentException("a joining node takes its members from the cluster: "
          + "set members or join, not both");
    }
    if (members != null) {
      validateFounders(id, members);
    }
    if (snapshotStore != null) {
      requireSnapshots(stateMachine);
    }
    if (restoreFrom != null) {
      checkRestore();
    }
    options.toCoreConfig(); // validates
    if (eventLoop != null) {
      Objects.requireNonNull(applyExecutor, "applyExecutor (with eventLoop)");
    }
    return new RaftNode(this);
  }

  /** With a snapshot store, the state machine must take snapshots: found now, not at the first. */
  private static void requireSnapshots(StateMachine stateMachine) {
    for (String method : new String[] {"snapshot", "restore"}) {
      Class<?> stream = method.equals("snapshot") ? java.io.OutputStream.class
          : java.io.InputStream.class;
      try {
        if (stateMachine.getClass().getMethod(method, stream).getDeclaringClass()
            == StateMachine.class) {
          throw new IllegalArgumentException("snapshots are configured, but the state machine "
              + stateMachine.getClass().getName() + " does not implement StateMachine." + method
              + ": implement snapshot and restore, or build the node without snapshots");
        }
      } catch (NoSuchMethodException impossible) {
        throw new AssertionError(impossible);
      }
    }
  }

  /** A restore founds a cluster of this node alone, into a snapshot store. */
  private void checkRestore() {
    if (!List.of(id).equals(members)) {
      throw new IllegalArgumentException("restoreFrom(" + restoreFrom + ") founds a new cluster of "
          + id + " alone: give members(List.of(" + id + ")), not "
          + (joining ? "join()" : members == null ? "no members" : "members(" + members + ")")
          + "; add the other nodes afterwards with addVoter");
    }
    if (snapshotStore == null) {
      throw new IllegalArgumentException("restoreFrom(" + restoreFrom + ") installs the backup as "
          + "the node's first snapshot: give the node a snapshot store, snapshots(...)");
    }
  }

  private static void validateFounders(NodeId id, List<NodeId> members) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("members must not be empty");
    }
    if (!members.contains(id)) {
      throw new IllegalArgumentException("members " + members + " do not include this node " + id);
    }
    if (new java.util.HashSet<>(members).size() != members.size()) {
      throw new IllegalArgumentException("members " + members + " name a node more than once");
    }
  }

  /**
   * Where the node reports its measurements (optional; none by default): latencies of commits,
   * applies and syncs, elections, snapshots, requests by outcome, and gauges of its indexes,
   * queues and followers' lag. Bind one with the {@code raft-metrics-micrometer} module, or
   * implement {@link MetricsSink}. The log store and the transport report theirs too, if they
   * can ({@link LogStore#bindMetrics}, {@link Transport#bindMetrics}).
   *
   * @param metrics where the node, its log store and its transport report
   * @return this builder
   */
  public RaftNodeBuilder metrics(MetricsSink metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    return this;
  }

  /**
   * Who is told of the node's events: elections (with their reasons), membership changes,
   * snapshots, a failure (optional). It is called on a thread of its own, one event at a time.
   *
   * @param listener the listener
   * @return this builder
   */
  public RaftNodeBuilder listener(RaftListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  MetricsSink metrics() {
    return metrics;
  }

  // Read by RaftNode.
  RaftListener listener() {
    return listener;
  }

  NodeId id() {
    return id;
  }

  ClusterId clusterId() {
    return clusterId;
  }

  List<NodeId> members() {
    return members;
  }

  /** The backup to found the cluster from, or null. */
  Path restoreFrom() {
    return restoreFrom;
  }

  boolean joining() {
    return joining;
  }

  MonotonicClock clock() {
    return clock;
  }

  StateMachine stateMachine() {
    return stateMachine;
  }

  Transport transport() {
    return transport;
  }

  LogStore logStore() {
    return logStore;
  }

  RaftOptions options() {
    return options;
  }

  EventLoop eventLoop() {
    return eventLoop;
  }

  Executor applyExecutor() {
    return applyExecutor;
  }

  RandomGenerator random() {
    return random;
  }

  SnapshotStore snapshotStore() {
    return snapshotStore;
  }

  SnapshotOptions snapshotOptions() {
    return snapshotOptions;
  }
}
