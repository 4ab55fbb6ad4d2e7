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

import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftNodeBuilder;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.EventLoop;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.SnapshotStore;
import dev.floe.raft.spi.StateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One simulated machine: a disk that outlives crashes, a clock that runs at the machine's rate,
 * and the current incarnation of the real {@link RaftNode} running on virtual time, in a {@link
 * SimProcess} that can be paused. A crash abandons the incarnation: every task it had scheduled is
 * dropped, and unsynced writes are partly lost.
 */
final class SimNode {
  /** What a node that fails reports to, once per failure. */
  interface FailureSink {
    /** An exception escaped one of the node's tasks; the node has crashed of it. */
    void thrown(SimNode node, Throwable error);
  }

  final NodeId id;
  private final ClusterId clusterId;
  private final Scheduler scheduler;
  private final SimNetwork network;
  /** The initial members, or {@code null} for a node that joins a running cluster. */
  private List<NodeId> members;
  private final RaftOptions options;
  private final Supplier<StateMachine> stateMachines;
  private final Checker checker;
  private final StateChecks checks;
  private final FailureSink failures;
  /** The machine's disk; replaced only by an operator (a swapped data directory). */
  SimDisk disk;
  private final SnapshotOptions snapshotOptions;
  final SimClock clock;

  private int incarnation;
  private boolean up;
  private RaftNode node;
  private LogStore store;
  private RecordingStateMachine stateMachine;
  private long lastDiskCompletionMicros;
  /** A slow disk's flushes: how long each takes (0: a fast disk), when the last one begins. */
  private long slowSyncMinMicros;
  private long slowSyncMaxMicros;
  private long flushStartMicros;
  /** The slow disk's flushes so far. */
  long slowSyncs;

  /** The running incarnation's process (a dead one while down). */
  private SimProcess process;

  /** Until when (virtual time) timers fire late, and by how much at most. */
  private long lateTimersUntilMicros;
  private long maxLateMicros;
  long lateTimers;

  /** Settles the failure this incarnation stopped with, once; null if none is waiting. */
  private Consumer<Throwable> unsettledFailure;
  /** The highest term in which the journal noted this machine leading. */
  long termNotedLeading;
  private boolean failureSeen;

  SimNode(NodeId id, ClusterId clusterId, Scheduler scheduler, SimNetwork network,
      List<NodeId> members, RaftOptions options, Supplier<StateMachine> stateMachines,
      Checker checker, StateChecks checks, SnapshotOptions snapshotOptions, SimDisk disk,
      FailureSink failures) {
    this.checks = checks;
    this.disk = disk;
    this.snapshotOptions = snapshotOptions;
    this.id = id;
    this.clusterId = clusterId;
    this.scheduler = scheduler;
    this.network = network;
    this.members = members;
    this.options = options;
    this.stateMachines = stateMachines;
    this.checker = checker;
    this.failures = failures;
    // Monotonic clocks have no common origin: each machine's starts somewhere of its own (taken
    // from its name, not the random source, so that runs without clock faults draw as before).
    this.clock = new SimClock(scheduler, (id.value().hashCode() & 0xFFFFFL) * 1_000_000_000L);
  }

  /** From the next start on, the node joins a running cluster instead of bootstrapping one. */
  void joinFromNowOn() {
    members = null;
  }

  /** The members the node was founded with, or {@code null} if it joined a running cluster. */
  List<NodeId> founders() {
    return members;
  }

  boolean isUp() {
    return up;
  }

  boolean isPaused() {
    return up && process.isPaused();
  }

  int incarnation() {
    return incarnation;
  }

  RaftNode node() {
    return node;
  }

  LogStore store() {
    return store;
  }

  /** Every entry of the running incarnation's log, durable or not. */
  List<LogEntry> logEntries() {
    return store.entries(store.firstIndex(), store.lastIndex() + 1, Long.MAX_VALUE);
  }

  RecordingStateMachine stateMachine() {
    return stateMachine;
  }

  /**
   * Starts a new incarnation with the machine's own settings.
   *
   * @throws UncheckedIOException or the node's exception if the start is refused
   */
  void start() {
    Exception refused = tryStart(members);
    if (refused instanceof IOException e) {
      throw new UncheckedIOException(id + " did not start: " + e.getMessage(), e);
    } else if (refused != null) {
      throw (RuntimeException) refused;
    }
  }

  /**
   * Tries to start a new incarnation, given {@code founders} as its members (or {@code join()} if
   * null), as an operator might. A refused start leaves the machine down; the process exits, which
   * the disk sees as a power loss.
   *
   * @return null if the node started, or why it was refused
   */
  Exception tryStart(List<NodeId> founders) {
    incarnation++;
    SimProcess mine = new SimProcess(scheduler, this::died);
    failureSeen = false;
    LogStore newStore = disk.openLog(task -> {
      long due = diskTaskDue();
      scheduler.schedule(due - scheduler.nowMicros(), () -> mine.run(SimProcess.Lane.DISK, task));
    });
    RecordingStateMachine newStateMachine =
        new RecordingStateMachine(id, stateMachines.get(), checker, checks);
    Executor applier = task -> scheduler.schedule(0, () -> mine.run(SimProcess.Lane.APPLY, task));
    RaftNodeBuilder builder = RaftNode.builder();
    SnapshotStore snapshotStore = snapshotOptions != null ? disk.openSnapshots() : null;
    if (snapshotStore != null) {
      builder.snapshots(snapshotStore, snapshotOptions);
    }
    if (founders != null) {
      builder.members(founders);
    } else {
      builder.join();
    }
    RaftNode newNode = builder
        .id(id)
        .clusterId(clusterId)
        .clock(clock::nanos)
        .stateMachine(newStateMachine)
        .transport(network.transport(id, task -> mine.run(SimProcess.Lane.NETWORK, task)))
        .logStore(newStore)
        .options(options)
        .threads(eventLoop(mine), applier)
        .random(new java.util.SplittableRandom(scheduler.random().nextLong()))
        .build();
    try {
      newNode.start();
    } catch (IOException | RuntimeException e) {
      // The process exits: it lets go of its stores (a real store may hold a lock or a thread),
      // and what it wrote but did not sync may be lost, as in a crash.
      mine.kill();
      network.detach(id);
      closeQuietly(newStore);
      closeQuietly(snapshotStore);
      disk.crash(scheduler.random());
      lastDiskCompletionMicros = 0;
      flushStartMicros = 0;
      return e;
    }
    process = mine;
    node = newNode;
    store = newStore;
    stateMachine = newStateMachine;
    up = true;
    return null;
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      // the start failed already; that failure is the one reported
    }
  }

  /**
   * When the disk task handed over now completes. A disk does its work in order. A fast disk (the
   * default) completes each piece after a random latency of up to about 5 ms. A slow disk does one
   * flush at a time, each taking {@code slowSyncMinMicros..slowSyncMaxMicros}; the work handed over
   * while a flush is under way waits for the next one, which covers all of it (group commit).
   */
  private long diskTaskDue() {
    long now = scheduler.nowMicros();
    if (slowSyncMaxMicros == 0) {
      long due = Math.max(lastDiskCompletionMicros,
          now + 200 + scheduler.random().nextLong(5_000));
      lastDiskCompletionMicros = due;
      return due;
    }
    if (now >= lastDiskCompletionMicros || now >= flushStartMicros) {
      // Idle, or the last flush has begun: a new flush, at once or after the one under way.
      flushStartMicros = Math.max(now, lastDiskCompletionMicros);
      lastDiskCompletionMicros = flushStartMicros + slowSyncMinMicros
          + scheduler.random().nextLong(slowSyncMaxMicros - slowSyncMinMicros + 1);
      slowSyncs++;
    }
    return lastDiskCompletionMicros; // the flush that has not begun yet takes this work too
  }

  /**
   * From now on the disk is slow: each flush takes {@code minMillis..maxMillis} (0, 0: fast again).
   */
  void slowSyncs(long minMillis, long maxMillis) {
    this.slowSyncMinMicros = minMillis * 1000;
    this.slowSyncMaxMicros = maxMillis * 1000;
  }

  /** The incarnation's event loop: tasks in order, timers measured with the machine's clock. */
  private EventLoop eventLoop(SimProcess mine) {
    return new EventLoop() {
      @Override
      public void execute(Runnable task) {
        scheduler.schedule(0, () -> mine.run(SimProcess.Lane.LOOP, task));
      }

      @Override
      public Cancellable schedule(long delayMillis, Runnable task) {
        boolean[] cancelled = new boolean[1];
        long delay = clock.virtualMicros(delayMillis) + lateness();
        scheduler.schedule(delay, () -> mine.run(SimProcess.Lane.TIMERS, () -> {
          if (!cancelled[0]) {
            task.run();
          }
        }));
        return () -> cancelled[0] = true;
      }
    };
  }

  /**
   * A client's call to the running node, made by the application in the node's process: at once,
   * or, while the process is paused, once it resumes (the future then completes as the call's).
   *
   * @throws IllegalStateException if the node is down
   */
  <T> java.util.concurrent.CompletableFuture<T> call(
      java.util.function.Function<RaftNode, java.util.concurrent.CompletableFuture<T>> call) {
    if (!up) {
      throw new IllegalStateException(id + " is down");
    }
    if (process.idle()) {
      return call.apply(node);
    }
    java.util.concurrent.CompletableFuture<T> answer = new java.util.concurrent.CompletableFuture<>();
    RaftNode callee = node;
    process.run(SimProcess.Lane.CLIENT, () -> call.apply(callee).whenComplete((v, e) -> {
      if (e != null) {
        answer.completeExceptionally(e);
      } else {
        answer.complete(v);
      }
    }));
    return answer;
  }

  /** How late the timer being set will fire: during a spell of late timers, a random amount. */
  private long lateness() {
    if (scheduler.nowMicros() >= lateTimersUntilMicros) {
      return 0;
    }
    long late = scheduler.random().nextLong(maxLateMicros + 1);
    if (late > 0) {
      lateTimers++;
    }
    return late;
  }

  /** Until {@code untilMicros}, every timer set fires late by up to {@code maxLateMicros}. */
  void lateTimers(long untilMicros, long maxLateMicros) {
    this.lateTimersUntilMicros = untilMicros;
    this.maxLateMicros = maxLateMicros;
  }

  /** A task of the running incarnation threw: the process died of it, which is a bug. */
  private void died(Throwable error) {
    crash();
    failures.thrown(this, error);
  }

  /**
   * Pauses the running incarnation's process for {@code micros} of virtual time (see {@link
   * SimProcess#pause}).
   */
  void pause(long micros) {
    if (up) {
      process.pause(micros);
    }
  }

  /** Ends a pause of the running incarnation now. */
  void resume() {
    if (up) {
      process.resume();
    }
  }

  /** Whether the running incarnation's failure was seen already (reported once). */
  boolean failureSeen() {
    return failureSeen;
  }

  /**
   * The running incarnation stopped with a failure: {@code settle} is called once, with the
   * failure's cause once known, or with null if the incarnation ends before.
   */
  void failureSeen(Consumer<Throwable> settle) {
    failureSeen = true;
    unsettledFailure = settle;
  }

  /** Settles the incarnation's failure (once); returns whether it was still unsettled. */
  boolean settleFailure(Throwable cause) {
    Consumer<Throwable> settle = unsettledFailure;
    unsettledFailure = null;
    if (settle != null) {
      settle.accept(cause);
    }
    return settle != null;
  }

  /** Power loss: the incarnation stops mid-flight, unsynced writes are partly lost. */
  void crash() {
    up = false;
    if (process != null) {
      process.kill();
    }
    network.detach(id);
    disk.crash(scheduler.random());
    lastDiskCompletionMicros = 0;
    flushStartMicros = 0;
    settleFailure(null);
  }
}
