package dev.floe.raft.sim;

import dev.floe.raft.NodeId;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftNodeBuilder;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.EventLoop;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.StateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * One simulated machine: a disk that outlives crashes, and the current incarnation of the real
 * {@link RaftNode} running on virtual time. A crash abandons the incarnation: every task it had
 * scheduled is dropped, and unsynced writes are partly lost.
 */
final class SimNode {
  final NodeId id;
  private final dev.floe.raft.ClusterId clusterId;
  private final Scheduler scheduler;
  private final SimNetwork network;
  /** The initial members, or {@code null} for a node that joins a running cluster. */
  private List<NodeId> members;
  private final RaftOptions options;
  private final Supplier<StateMachine> stateMachines;
  private final Checker checker;
  /** The machine's disk; replaced only by an operator (a swapped data directory). */
  SimDisk disk;
  private final dev.floe.raft.SnapshotOptions snapshotOptions;

  private int incarnation;
  private boolean up;
  private RaftNode node;
  private LogStore store;
  private RecordingStateMachine stateMachine;
  private long lastDiskCompletionMicros;

  SimNode(NodeId id, dev.floe.raft.ClusterId clusterId, Scheduler scheduler, SimNetwork network,
      List<NodeId> members,
      RaftOptions options, Supplier<StateMachine> stateMachines, Checker checker,
      dev.floe.raft.SnapshotOptions snapshotOptions, SimDisk disk) {
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
  }

  /** From the next start on, the node joins a running cluster instead of bootstrapping one. */
  void joinFromNowOn() {
    members = null;
  }

  boolean isUp() {
    return up;
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

  void start() {
    incarnation++;
    int mine = incarnation;
    store = disk.openLog(task -> {
      // A disk does its work in order, each piece after a random latency.
      long due = Math.max(lastDiskCompletionMicros,
          scheduler.nowMicros() + 200 + scheduler.random().nextLong(5_000));
      lastDiskCompletionMicros = due;
      scheduler.schedule(due - scheduler.nowMicros(), guard(mine, task));
    });
    stateMachine = new RecordingStateMachine(id, stateMachines.get(), checker);
    EventLoop loop = new EventLoop() {
      @Override
      public void execute(Runnable task) {
        scheduler.schedule(0, guard(mine, task));
      }

      @Override
      public Cancellable schedule(long delayMillis, Runnable task) {
        boolean[] cancelled = new boolean[1];
        scheduler.schedule(delayMillis * 1000, guard(mine, () -> {
          if (!cancelled[0]) {
            task.run();
          }
        }));
        return () -> cancelled[0] = true;
      }
    };
    Executor applier = task -> scheduler.schedule(0, guard(mine, task));
    RaftNodeBuilder builder = RaftNode.builder();
    if (snapshotOptions != null) {
      builder.snapshots(disk.openSnapshots(), snapshotOptions);
    }
    if (members != null) {
      builder.members(members);
    } else {
      builder.join();
    }
    node = builder
        .id(id)
        .clusterId(clusterId)
        .clock(() -> scheduler.nowMicros() * 1000)
        .stateMachine(stateMachine)
        .transport(network.transport(id))
        .logStore(store)
        .options(options)
        .threads(loop, applier)
        .random(new java.util.SplittableRandom(scheduler.random().nextLong()))
        .build();
    try {
      node.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    up = true;
  }

  private Runnable guard(int forIncarnation, Runnable task) {
    return () -> {
      if (up && incarnation == forIncarnation) {
        task.run();
      }
    };
  }

  /** Power loss: the incarnation stops mid-flight, unsynced writes are partly lost. */
  void crash() {
    up = false;
    network.detach(id);
    disk.crash(scheduler.random());
    lastDiskCompletionMicros = 0;
  }
}
