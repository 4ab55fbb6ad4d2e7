package dev.floe.raft;

import dev.floe.raft.core.Commands;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.StateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the node's apply thread owns: the state machine, the client session table, how far
 * the state machine has applied, and the membership as of that point. Committed entries, queries,
 * snapshots to take and snapshot chunks to install come here as tasks on the apply thread, in the
 * order they were handed over; results go back to the event loop ({@link NodeLoop}).
 *
 * <p>Every field is touched only on the apply thread, but for the recovery at start, which runs
 * before the apply thread has any work.
 */
final class Applier {
  private static final Logger log = LoggerFactory.getLogger(Applier.class);

  /** One applied entry and what applying it produced. */
  record Applied(long index, long term, ApplyResult result) {}

  private final NodeId self;
  private final StateMachine stateMachine;
  private final Executor applyThread;
  private final SessionTable sessions = new SessionTable(SessionRequest.EXPIRY_ENTRIES);
  /** The snapshots this node takes and installs, or {@code null} without a snapshot store. */
  private final SnapshotTaker snapshots;
  private NodeLoop loop;
  /** The last index (and its term) in the state machine. */
  private long appliedThrough;
  private long appliedTerm;
  /** The membership as of {@code appliedThrough}. */
  private Configuration appliedConfiguration = Configuration.empty();

  Applier(NodeId self, StateMachine stateMachine, Executor applyThread,
      SnapshotTaker.Settings snapshots) {
    this.self = self;
    this.stateMachine = stateMachine;
    this.applyThread = applyThread;
    this.snapshots = snapshots == null ? null : new SnapshotTaker(self, snapshots, stateMachine,
        sessions);
  }

  /** The loop that results go to; set once, before the first task. */
  void attach(NodeLoop loop) {
    this.loop = loop;
  }

  SnapshotTaker snapshots() {
    return snapshots;
  }

  Executor applyThread() {
    return applyThread;
  }

  // ---------------------------------------------------------------- at start (caller's thread)

  /** The membership the state machine starts from: the founding one, or a snapshot's. */
  void startFrom(Configuration bootstrap) {
    appliedConfiguration = bootstrap;
  }

  /** The state machine now holds a snapshot's state (at start, or installed from the leader). */
  void restored(SnapshotMeta meta) {
    appliedThrough = meta.index();
    appliedTerm = meta.term();
    Configuration c = Configuration.decode(meta.configuration());
    if (!c.isEmpty()) {
      appliedConfiguration = c;
    }
  }

  Configuration appliedConfiguration() {
    return appliedConfiguration;
  }

  // ---------------------------------------------------------------- tasks (apply thread)

  /** Hands committed entries to the apply thread, to be applied in order. */
  void submit(List<LogEntry> committed) {
    applyThread.execute(() -> apply(committed));
  }

  /** Runs a query on the apply thread, after every entry handed over so far. */
  void query(byte[] query, CompletableFuture<byte[]> future) {
    applyThread.execute(() -> {
      byte[] answer;
      try {
        answer = stateMachine.query(query);
      } catch (RuntimeException e) {
        loop.post(() -> future.completeExceptionally(e));
        return;
      }
      loop.post(() -> future.complete(answer));
    });
  }

  /** Takes a snapshot now, after the entries handed over so far. */
  void takeSnapshot(CompletableFuture<Long> future) {
    applyThread.execute(() -> {
      try {
        future.complete(appliedThrough == 0 ? 0L
            : snapshots.take(appliedThrough, appliedTerm, appliedConfiguration, loop).index());
      } catch (java.io.IOException | RuntimeException e) {
        future.completeExceptionally(e);
      }
    });
  }

  private void apply(List<LogEntry> entries) {
    List<Applied> results = new ArrayList<>(entries.size());
    long bytes = 0;
    for (LogEntry e : entries) {
      if (e.index() <= appliedThrough) {
        continue; // covered by a snapshot installed meanwhile
      }
      bytes += e.data().length;
      ApplyResult result = ApplyResult.NONE;
      if (e.type() == EntryType.COMMAND) {
        result = applyCommand(e);
      } else if (e.type() == EntryType.CONFIGURATION) {
        appliedConfiguration = Configuration.decode(e.data());
        result = new ApplyResult.Membership(appliedConfiguration);
      }
      sessions.expire(e.index());
      appliedThrough = e.index();
      appliedTerm = e.term();
      results.add(new Applied(e.index(), e.term(), result));
    }
    if (results.isEmpty()) {
      return;
    }
    // The loop learns of the applied entries before a snapshot that covers them (so that the
    // snapshot's compaction is not held back by an applied index the core has not seen yet), and
    // their submitters are answered before the snapshot is written, not after.
    loop.post(() -> loop.onApplied(results));
    if (snapshots != null) {
      snapshots.maybeTake(appliedThrough, appliedTerm, bytes, appliedConfiguration, loop);
    }
  }

  /** Applies one command entry; returns its result, the state machine's exception, or a replay. */
  private ApplyResult applyCommand(LogEntry e) {
    byte[] payload = e.data();
    if (!Commands.isSession(payload)) {
      return applyToStateMachine(e.index(), payload);
    }
    long client = Commands.clientId(payload);
    long sequence = Commands.sequence(payload);
    SessionTable.Last first;
    try {
      first = sessions.applied(client, sequence);
    } catch (FloeException stale) {
      return new ApplyResult.Failure(stale);
    }
    if (first != null) {
      // A retry: answered with the first result, not applied again.
      return new ApplyResult.Replay(first.index(), first.term(), first.result());
    }
    ApplyResult result = applyToStateMachine(e.index(), payload);
    sessions.record(client, sequence, e.index(), e.term(), result);
    return result;
  }

  private ApplyResult applyToStateMachine(long index, byte[] payload) {
    try {
      byte[] result = stateMachine.apply(index, Commands.command(payload));
      return result == null ? ApplyResult.NONE : new ApplyResult.Value(result);
    } catch (RuntimeException ex) {
      log.warn("{}: the state machine rejected entry {}", self, index, ex);
      return new ApplyResult.Failure(ex);
    }
  }
}
