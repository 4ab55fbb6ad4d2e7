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

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.internal.core.Outcome;
import dev.floe.raft.internal.core.RaftCore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * The requests waiting for their outcome, owned by the event loop: submits (first for the index
 * they get, then for it to be applied), membership changes, reads (for their read index, then for
 * it to be handed to the apply thread) and transfers, and the deadline of each. The core's
 * outcomes and the applier's results complete them.
 */
final class PendingRequests {
  private final NodeId self;
  private final long requestTimeoutMillis;
  private final long requestTimeoutTicks;
  private final long tickMillis;
  private final Applier applier;
  private final RaftCore core;
  private final NodeMetrics metrics;
  private final RequestsById<CompletableFuture<SubmitResult>> awaitingIndex =
      new RequestsById<>();
  /** Which of {@code awaitingIndex} are membership changes, whose refusals mean other things. */
  private final Set<Long> membershipChanges = new HashSet<>();
  /**
   * Submits whose entry is not yet handed to the applier, in index order: entries are accepted in
   * index order (a lower index only after a leader change), so a deque costs O(1) per entry where
   * a sorted map would box and rebalance. They go to the applier with their entries.
   */
  private final ArrayDeque<Submitted> awaitingHandOff = new ArrayDeque<>();
  /**
   * The futures of submits handed to the applier with their entries, which completes them; kept
   * here only to fail those still open if the node stops, and pruned as they complete.
   */
  private final ArrayDeque<CompletableFuture<SubmitResult>> handedOver = new ArrayDeque<>();
  private final RequestDeadlines deadlines = new RequestDeadlines();
  private final Map<Long, PendingRead> reads = new LinkedHashMap<>();
  private final TreeMap<Long, List<PendingRead>> readsAwaitingApply = new TreeMap<>();
  private final Map<Long, CompletableFuture<NodeId>> transfers = new LinkedHashMap<>();
  /** With metrics on: when each submit still waiting for its index was made. */
  private final Map<Long, Long> submitStart = new HashMap<>();
  /** Submits and reads sent to a leader, with the term they were sent in, oldest first. */
  private final Map<Long, Long> forwardedInTerm = new LinkedHashMap<>();
  /** Callers of awaitLeader, with the tick at which each gives up. */
  private final Map<CompletableFuture<NodeId>, Long> leaderWaits = new LinkedHashMap<>();
  /** The last index handed to the applier: queries at or below it may run. */
  private long handedToApplyIndex;
  /** Ticks since start: the clock of request timeouts. */
  private long nowTicks;

  PendingRequests(NodeId self, RaftOptions options, Applier applier, RaftCore core,
      NodeMetrics metrics) {
    this.metrics = metrics;
    this.self = self;
    this.requestTimeoutMillis = options.requestTimeoutMillis();
    this.tickMillis = options.tickMillis();
    this.requestTimeoutTicks =
        (options.requestTimeoutMillis() + options.tickMillis() - 1) / options.tickMillis();
    this.applier = applier;
    this.core = core;
  }

  /**
   * A submit whose entry is at {@code index} in {@code term}, waiting for it to be applied;
   * {@code startNanos} is when it was submitted (0 unless metrics are on).
   */
  record Submitted(long requestId, long index, long term, CompletableFuture<SubmitResult> future,
      long startNanos) {}

  private record PendingRead(byte[] query, CompletableFuture<byte[]> future) {}

  int size() {
    CompletableFuture<SubmitResult> f;
    while ((f = handedOver.peekFirst()) != null && f.isDone()) {
      handedOver.pollFirst();
    }
    return awaitingIndex.size() + awaitingHandOff.size() + handedOver.size() + reads.size();
  }

  /**
   * The lowest id of a request still waiting for its index, or {@code next} if none: every
   * lower one is settled (ids are handed out in increasing order, and the map keeps that order).
   */
  long lowestAwaitingIndex(long next) {
    return awaitingIndex.isEmpty() ? next : awaitingIndex.firstKey();
  }

  /** A submit, started at {@code startNanos} (0 unless metrics are on). */
  void addSubmit(long requestId, CompletableFuture<SubmitResult> future, long startNanos) {
    awaitingIndex.put(requestId, future);
    if (startNanos != 0) {
      submitStart.put(requestId, startNanos);
    }
    timeout(requestId, future, "submit");
  }

  /**
   * A membership change completes like a submit, once its entry is applied; it has no timeout
   * of its own, since the leader answers it in any case (learners get a catch-up deadline).
   */
  void addMembershipChange(long requestId, CompletableFuture<SubmitResult> future) {
    awaitingIndex.put(requestId, future);
    membershipChanges.add(requestId);
  }

  void addRead(long requestId, byte[] query, CompletableFuture<byte[]> future) {
    reads.put(requestId, new PendingRead(query, future));
    timeout(requestId, future, "query");
  }

  void addTransfer(long requestId, CompletableFuture<NodeId> future) {
    transfers.put(requestId, future);
    timeout(requestId, future, "leadership transfer");
  }

  /** The request went to the leader of {@code term} (a forwarded submit, or a read). */
  void forwarded(long requestId, long term) {
    if (awaitingIndex.containsKey(requestId) || reads.containsKey(requestId)) {
      forwardedInTerm.put(requestId, term);
    }
  }

  /**
   * The term changed: a leader of an earlier term will likely never answer what was sent to it
   * (it stepped down, or it is gone), so those requests fail now rather than at their deadline.
   * A forwarded submit may have been appended there, so its fate is unknown; a read had no
   * effect.
   */
  void onTermChanged(long term) {
    for (var it = forwardedInTerm.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (e.getValue() >= term) {
        break;
      }
      it.remove();
      submitStart.remove(e.getKey());
      fail(awaitingIndex.remove(e.getKey()), new CommitUnknownException("the leader of term "
          + e.getValue() + " was replaced before it answered the forwarded command, which may or"
          + " may not be committed"));
      PendingRead read = reads.remove(e.getKey());
      if (read != null) {
        read.future().completeExceptionally(new NotLeaderException("the leader of term "
            + e.getValue() + " was replaced before it answered the read; it had no effect",
            core.leader()));
      }
    }
  }

  /** Completes {@code future} once a leader that takes writes is known, or at the deadline. */
  void addLeaderWait(CompletableFuture<NodeId> future, long timeoutMillis) {
    long ticks = Math.max(1, (timeoutMillis + tickMillis - 1) / tickMillis);
    leaderWaits.put(future, nowTicks + ticks);
  }

  /** A leader of the current term has committed an entry of its term: it takes writes. */
  void onLeaderReady(NodeId leader) {
    if (!leaderWaits.isEmpty()) {
      leaderWaits.keySet().forEach(f -> f.complete(leader));
      leaderWaits.clear();
    }
  }

  /**
   * Every request has the same timeout, so deadlines arrive in order: one queue, checked on each
   * tick, costs far less than a timer task per request.
   */
  private void timeout(long requestId, CompletableFuture<?> future, String what) {
    deadlines.addLast(nowTicks + requestTimeoutTicks, requestId, future, what);
  }

  /** A tick passed: requests whose deadline came fail with an unknown outcome. */
  void tick() {
    nowTicks++;
    if (!leaderWaits.isEmpty()) {
      leaderWaits.entrySet().removeIf(w -> w.getKey().isDone() || (w.getValue() <= nowTicks
          && w.getKey().completeExceptionally(new TimeoutException("no leader that takes writes"
          + " became known to node " + self + " in time"))));
    }
    while (!deadlines.isEmpty()
        && (deadlines.firstFuture().isDone() || deadlines.firstTick() <= nowTicks)) {
      CompletableFuture<?> future = deadlines.firstFuture();
      String what = deadlines.firstWhat();
      long requestId = deadlines.firstRequestId();
      deadlines.removeFirst();
      if (!future.isDone()) {
        awaitingIndex.remove(requestId);
        reads.remove(requestId);
        forwardedInTerm.remove(requestId);
        submitStart.remove(requestId);
        transfers.remove(requestId);
        awaitingHandOff.removeIf(s -> s.requestId() == requestId);
        future.completeExceptionally(new CommitUnknownException("no outcome for the "
            + what + " within " + requestTimeoutMillis + " ms"));
      }
    }
  }

  void onOutcome(Outcome o) {
    if (!forwardedInTerm.isEmpty()) {
      forwardedInTerm.remove(o.requestId());
    }
    if (!submitStart.isEmpty() && !(o instanceof Outcome.ProposalAccepted)) {
      submitStart.remove(o.requestId());
    }
    if (o instanceof Outcome.ProposalAccepted a) {
      if (!membershipChanges.isEmpty()) {
        membershipChanges.remove(a.requestId());
      }
      CompletableFuture<SubmitResult> f = awaitingIndex.remove(a.requestId());
      if (f == null) {
        return;
      }
      Long start = submitStart.isEmpty() ? null : submitStart.remove(a.requestId());
      Submitted s = new Submitted(a.requestId(), a.index(), a.term(), f,
          start == null ? 0 : start);
      if (a.index() <= handedToApplyIndex) {
        // The entry went to the applier before its index came back (a forwarded submit's late
        // answer): the applier answers from what it applied, or when it applies it.
        handedOver.addLast(f);
        applier.awaitLate(s);
        return;
      }
      awaitHandOff(s);
    } else if (o instanceof Outcome.Rejected r) {
      boolean change = membershipChanges.remove(r.requestId());
      fail(awaitingIndex.remove(r.requestId()),
          change ? Failures.ofMembershipChange(r) : Failures.ofSubmitOrRead(r));
      PendingRead read = reads.remove(r.requestId());
      if (read != null) {
        read.future().completeExceptionally(Failures.ofSubmitOrRead(r));
      }
      fail(transfers.remove(r.requestId()), Failures.ofTransfer(r));
    } else if (o instanceof Outcome.Unknown u) {
      membershipChanges.remove(u.requestId());
      fail(awaitingIndex.remove(u.requestId()), new CommitUnknownException(u.reason()));
    } else if (o instanceof Outcome.Unchanged u) {
      membershipChanges.remove(u.requestId());
      CompletableFuture<SubmitResult> f = awaitingIndex.remove(u.requestId());
      if (f != null) {
        f.complete(new SubmitResult(core.commitIndex(), core.term(),
            core.configuration().encode()));
      }
    } else if (o instanceof Outcome.ReadIndexReady r) {
      PendingRead read = reads.remove(r.requestId());
      if (read != null) {
        readsAwaitingApply.computeIfAbsent(r.readIndex(), k -> new ArrayList<>()).add(read);
        runReadsUpTo(handedToApplyIndex);
      }
    } else if (o instanceof Outcome.TransferCompleted t) {
      CompletableFuture<NodeId> f = transfers.remove(t.requestId());
      if (f != null) {
        f.complete(t.target());
      }
    }
  }

  private <T> void fail(CompletableFuture<T> f, Throwable e) {
    if (f != null) {
      f.completeExceptionally(e);
    }
  }

  /**
   * Entries up to {@code index} were handed to the applier: queries whose read index is at or below
   * it run after them (the apply thread is FIFO).
   */
  void handedOver(long index) {
    handedToApplyIndex = index;
    runReadsUpTo(index);
  }

  private void runReadsUpTo(long index) {
    while (!readsAwaitingApply.isEmpty() && readsAwaitingApply.firstKey() <= index) {
      for (PendingRead r : readsAwaitingApply.pollFirstEntry().getValue()) {
        applier.query(r.query(), r.future());
      }
    }
  }

  private void awaitHandOff(Submitted s) {
    Submitted last = awaitingHandOff.peekLast();
    if (last == null || last.index() <= s.index()) {
      awaitingHandOff.addLast(s);
      return;
    }
    List<Submitted> all = new ArrayList<>(awaitingHandOff); // rare: after a leader change
    all.add(s);
    all.sort(java.util.Comparator.comparingLong(Submitted::index)); // stable
    awaitingHandOff.clear();
    awaitingHandOff.addAll(all);
  }

  /** The submits waiting for entries up to {@code index}, now handed to the applier with them. */
  List<Submitted> handOff(long index) {
    if (awaitingHandOff.isEmpty() || awaitingHandOff.peekFirst().index() > index) {
      return List.of();
    }
    List<Submitted> out = new ArrayList<>(awaitingHandOff.size());
    Submitted s;
    while ((s = awaitingHandOff.peekFirst()) != null && s.index() <= index) {
      out.add(awaitingHandOff.pollFirst());
      handedOver.addLast(s.future());
      metrics.committed(s.startNanos());
    }
    return out;
  }

  /** Requests waiting for entries a snapshot replaced cannot learn their results. */
  void onSnapshotInstalled(long index) {
    Submitted s;
    while ((s = awaitingHandOff.peekFirst()) != null && s.index() <= index) {
      awaitingHandOff.pollFirst().future().completeExceptionally(new CommitUnknownException(
          "the entry was replaced here by a snapshot from the leader before it was applied"));
    }
  }

  /** A leader that stepped down cannot tell whether its uncommitted entries will commit. */
  void onLeadershipLost(long commitIndex) {
    Submitted s;
    while ((s = awaitingHandOff.peekLast()) != null && s.index() > commitIndex) {
      awaitingHandOff.pollLast().future().completeExceptionally(new CommitUnknownException(
          "node " + self + " lost leadership before the command was known to be committed"));
    }
  }

  void failAll(FloeException e) {
    awaitingIndex.forEachValue(f -> f.completeExceptionally(e));
    awaitingHandOff.forEach(s -> s.future().completeExceptionally(e));
    handedOver.forEach(f -> f.completeExceptionally(e));
    reads.values().forEach(r -> r.future().completeExceptionally(e));
    readsAwaitingApply.values().forEach(l -> l.forEach(r -> r.future().completeExceptionally(e)));
    transfers.values().forEach(f -> f.completeExceptionally(e));
    leaderWaits.keySet().forEach(f -> f.completeExceptionally(e));
    leaderWaits.clear();
    forwardedInTerm.clear();
    submitStart.clear();
    awaitingIndex.clear();
    membershipChanges.clear();
    awaitingHandOff.clear();
    handedOver.clear();
    reads.clear();
    readsAwaitingApply.clear();
    transfers.clear();
    deadlines.clear();
  }
}
