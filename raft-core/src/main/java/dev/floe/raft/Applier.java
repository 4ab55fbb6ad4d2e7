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
import dev.floe.raft.internal.core.Commands;
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

  /** How many applied entries are remembered for forwarded submits whose answer comes late. */
  private static final int RECENTLY_APPLIED = 4096;

  private final NodeId self;
  private final StateMachine stateMachine;
  private final Executor applyThread;
  private final SessionTable sessions = new SessionTable(SessionRequest.EXPIRY_ENTRIES);
  /** The snapshots this node takes and installs, or {@code null} without a snapshot store. */
  private final SnapshotTaker snapshots;
  private NodeLoop loop;
  /** Where the leader's id is read for a submit whose entry a later leader overwrote. */
  private NodeStatus status;
  private EventDispatcher events;
  /** Submits waiting for their entry to be applied, in index order. */
  private final java.util.ArrayDeque<PendingRequests.Submitted> awaiting =
      new java.util.ArrayDeque<>();
  /**
   * The last applied entries (index, term, what applying produced), by index modulo the size:
   * rings of plain fields, so that remembering an entry allocates nothing.
   */
  private final long[] recentIndex = new long[RECENTLY_APPLIED];
  private final long[] recentTerm = new long[RECENTLY_APPLIED];
  private final ApplyResult[] recentResult = new ApplyResult[RECENTLY_APPLIED];
  /**
   * The applied index for the loop, which reads it at its next pass (a drain, a tick, a step from
   * this thread): it needs the figure only for its status and for compaction, so telling it costs
   * no wake-up of the loop.
   */
  private volatile long appliedForLoop;
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
  void attach(NodeLoop loop, NodeStatus status, EventDispatcher events) {
    this.loop = loop;
    this.status = status;
    this.events = events;
  }

  EventDispatcher events() {
    return events;
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
    PendingRequests.Submitted s;
    while ((s = awaiting.peekFirst()) != null && s.index() <= meta.index()) {
      awaiting.pollFirst().future().completeExceptionally(new CommitUnknownException(
          "the entry was replaced here by a snapshot from the leader before it was applied"));
    }
    Configuration c = Configuration.decode(meta.configuration());
    if (!c.isEmpty()) {
      appliedConfiguration = c;
    }
  }

  Configuration appliedConfiguration() {
    return appliedConfiguration;
  }

  // ---------------------------------------------------------------- tasks (apply thread)

  /**
   * Hands committed entries to the apply thread, to be applied in order, with the submits that
   * wait for them: the apply thread completes those once their entry is applied.
   */
  void submit(List<LogEntry> committed, List<PendingRequests.Submitted> waiting) {
    NodeMetrics metrics = events.metrics();
    long handed = metrics.now();
    applyThread.execute(() -> {
      await(waiting);
      apply(committed);
      metrics.applied(handed);
    });
  }

  /**
   * A submit whose entry was handed over before its index was known here (a forwarded submit's
   * answer came late): answered from what was applied, or once it is.
   */
  void awaitLate(PendingRequests.Submitted s) {
    applyThread.execute(() -> {
      if (s.index() > appliedThrough) {
        await(List.of(s));
        return;
      }
      int slot = (int) (s.index() % RECENTLY_APPLIED);
      if (recentResult[slot] != null && recentIndex[slot] == s.index()) {
        complete(s, recentIndex[slot], recentTerm[slot], recentResult[slot]);
      } else {
        s.future().completeExceptionally(new CommitUnknownException(
            "entry " + s.index() + " was applied before its answer arrived; outcome unknown"));
      }
    });
  }

  private void await(List<PendingRequests.Submitted> waiting) {
    for (PendingRequests.Submitted s : waiting) {
      PendingRequests.Submitted last = awaiting.peekLast();
      if (last == null || last.index() <= s.index()) {
        awaiting.addLast(s);
      } else {
        List<PendingRequests.Submitted> all = new ArrayList<>(awaiting); // rare: a late answer
        all.add(s);
        all.sort(java.util.Comparator.comparingLong(PendingRequests.Submitted::index));
        awaiting.clear();
        awaiting.addAll(all);
      }
    }
  }

  /**
   * Runs a query on the apply thread, after every entry handed over so far, and answers it. A null
   * query is a read barrier (a backup's): it asks the state machine nothing and answers empty.
   */
  void query(byte[] query, CompletableFuture<byte[]> future) {
    applyThread.execute(() -> {
      byte[] answer;
      try {
        answer = query == null ? new byte[0] : stateMachine.query(query);
      } catch (RuntimeException e) {
        future.completeExceptionally(e);
        return;
      }
      future.complete(answer);
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
    int applied = 0;
    long bytes = 0;
    for (LogEntry e : entries) {
      if (e.index() <= appliedThrough) {
        continue; // covered by a snapshot installed meanwhile (its waiting submits failed then)
      }
      bytes += e.data().length;
      ApplyResult result = ApplyResult.NONE;
      if (e.type() == EntryType.COMMAND) {
        result = applyToStateMachine(e.index(), e.data());
      } else if (e.type() == EntryType.SESSION_COMMAND) {
        result = applySessionCommand(e);
      } else if (e.type() == EntryType.CONFIGURATION) {
        appliedConfiguration = Configuration.decode(e.data());
        result = new ApplyResult.Membership(appliedConfiguration);
      }
      sessions.expire(e.index());
      appliedThrough = e.index();
      appliedTerm = e.term();
      int slot = (int) (e.index() % RECENTLY_APPLIED);
      recentIndex[slot] = e.index();
      recentTerm[slot] = e.term();
      recentResult[slot] = result;
      answerWaiting(e.index(), e.term(), result);
      applied++;
    }
    if (applied == 0) {
      return;
    }
    // Published before a snapshot that covers them is taken: the loop steps the applied index
    // before the snapshot (so that its compaction is not held back by an applied index the core
    // has not seen yet); their submitters were answered already, before the snapshot is written.
    tellLoop();
    if (snapshots != null) {
      snapshots.maybeTake(appliedThrough, appliedTerm, bytes, appliedConfiguration, loop);
    }
  }

  /** Completes the submits waiting for this entry (or, overwritten, for an earlier one). */
  private void answerWaiting(long index, long term, ApplyResult result) {
    PendingRequests.Submitted s;
    while ((s = awaiting.peekFirst()) != null && s.index() <= index) {
      awaiting.pollFirst();
      if (s.index() == index) {
        // Two submits may wait on one index (one of them overwritten): the term tells them apart.
        complete(s, index, term, result);
      } else {
        s.future().completeExceptionally(new CommitUnknownException(
            "the entry was replaced here by a snapshot from the leader before it was applied"));
      }
    }
  }

  private void complete(PendingRequests.Submitted s, long index, long term, ApplyResult result) {
    if (s.term() != term) {
      s.future().completeExceptionally(new NotLeaderException(
          "entry " + index + " was overwritten by a later leader; the command was not applied",
          status.current().leader().orElse(null)));
    } else {
      answer(s.future(), index, term, result);
    }
  }

  /** Completes with the state machine's result, or its exception. */
  private static void answer(CompletableFuture<SubmitResult> f, long index, long term,
      ApplyResult result) {
    if (result instanceof ApplyResult.Replay r) {
      // A retried session command is answered as its first application was.
      answer(f, r.index(), r.term(), r.first());
    } else if (result instanceof ApplyResult.Membership m) {
      f.complete(new SubmitResult(index, term, m.configuration().encode()));
    } else if (result instanceof ApplyResult.Failure e) {
      f.completeExceptionally(e.exception());
    } else if (result instanceof ApplyResult.Value v) {
      f.complete(new SubmitResult(index, term, v.bytes()));
    } else {
      f.complete(new SubmitResult(index, term, ApplyResult.NO_BYTES));
    }
  }

  /** Publishes how far the state machine has applied, for the loop's next pass. */
  private void tellLoop() {
    appliedForLoop = appliedThrough;
  }

  /** How far the state machine has applied, as last published (any thread). */
  long appliedForLoop() {
    return appliedForLoop;
  }

  /** Applies a session command once: its result, the state machine's exception, or a replay. */
  private ApplyResult applySessionCommand(LogEntry e) {
    byte[] payload = e.data();
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
    ApplyResult result = applyToStateMachine(e.index(), e.command());
    sessions.record(client, sequence, e.index(), e.term(), result);
    return result;
  }

  private ApplyResult applyToStateMachine(long index, byte[] command) {
    try {
      byte[] result = stateMachine.apply(index, command);
      return result == null ? ApplyResult.NONE
          : result.length == 0 ? ApplyResult.EMPTY : new ApplyResult.Value(result);
    } catch (RuntimeException ex) {
      log.warn("{}: the state machine rejected entry {}", self, index, ex);
      return new ApplyResult.Failure(ex);
    }
  }
}
