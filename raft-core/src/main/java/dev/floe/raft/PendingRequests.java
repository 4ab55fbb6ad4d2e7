package dev.floe.raft;

import dev.floe.raft.core.Outcome;
import dev.floe.raft.core.RaftCore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The requests waiting for their outcome, owned by the event loop: submits (first for the index
 * they get, then for it to be applied), membership changes, reads (for their read index, then for
 * it to be handed to the apply thread) and transfers, and the deadline of each. The core's
 * outcomes and the applier's results complete them.
 */
final class PendingRequests {
  /** How many applied entries are remembered for forwarded submits whose answer comes late. */
  private static final int RECENTLY_APPLIED = 4096;

  /** When a request times out, in ticks of this node. */
  private record Deadline(long tick, long requestId, CompletableFuture<?> future, String what) {}

  private final NodeId self;
  private final long requestTimeoutMillis;
  private final long requestTimeoutTicks;
  private final Applier applier;
  private final RaftCore core;
  private final Map<Long, CompletableFuture<SubmitResult>> awaitingIndex = new LinkedHashMap<>();
  /** Which of {@code awaitingIndex} are membership changes, whose refusals mean other things. */
  private final Set<Long> membershipChanges = new HashSet<>();
  /**
   * Submits whose entry awaits applying, in index order: entries are accepted in index order
   * (a lower index only after a leader change), so a deque costs O(1) per entry where a sorted
   * map would box and rebalance.
   */
  private final ArrayDeque<Submitted> awaitingApply = new ArrayDeque<>();
  /** The last applied entries, by index modulo the size: a ring, no allocation per entry. */
  private final Applier.Applied[] recentlyApplied = new Applier.Applied[RECENTLY_APPLIED];
  private final ArrayDeque<Deadline> deadlines = new ArrayDeque<>();
  private final Map<Long, PendingRead> reads = new LinkedHashMap<>();
  private final TreeMap<Long, List<PendingRead>> readsAwaitingApply = new TreeMap<>();
  private final Map<Long, CompletableFuture<NodeId>> transfers = new LinkedHashMap<>();
  /** The last index the applier reported applied. */
  private long appliedIndex;
  /** The last index handed to the applier: queries at or below it may run. */
  private long handedToApplyIndex;
  /** Ticks since start: the clock of request timeouts. */
  private long nowTicks;

  PendingRequests(NodeId self, RaftOptions options, Applier applier, RaftCore core) {
    this.self = self;
    this.requestTimeoutMillis = options.requestTimeoutMillis();
    this.requestTimeoutTicks =
        (options.requestTimeoutMillis() + options.tickMillis() - 1) / options.tickMillis();
    this.applier = applier;
    this.core = core;
  }

  private record Submitted(
      long requestId, long index, long term, CompletableFuture<SubmitResult> future) {}

  private record PendingRead(byte[] query, CompletableFuture<byte[]> future) {}

  int size() {
    return awaitingIndex.size() + awaitingApply.size() + reads.size();
  }

  /**
   * The lowest id of a request still waiting for its index, or {@code next} if none: every
   * lower one is settled (ids are handed out in increasing order, and the map keeps that order).
   */
  long lowestAwaitingIndex(long next) {
    return awaitingIndex.isEmpty() ? next : awaitingIndex.keySet().iterator().next();
  }

  void addSubmit(long requestId, CompletableFuture<SubmitResult> future) {
    awaitingIndex.put(requestId, future);
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

  /**
   * Every request has the same timeout, so deadlines arrive in order: one queue, checked on each
   * tick, costs far less than a timer task per request.
   */
  private void timeout(long requestId, CompletableFuture<?> future, String what) {
    deadlines.addLast(new Deadline(nowTicks + requestTimeoutTicks, requestId, future, what));
  }

  /** A tick passed: requests whose deadline came fail with an unknown outcome. */
  void tick() {
    nowTicks++;
    Deadline d;
    while ((d = deadlines.peekFirst()) != null && (d.future().isDone() || d.tick() <= nowTicks)) {
      deadlines.pollFirst();
      if (!d.future().isDone()) {
        long requestId = d.requestId();
        awaitingIndex.remove(requestId);
        reads.remove(requestId);
        transfers.remove(requestId);
        awaitingApply.removeIf(s -> s.requestId() == requestId);
        d.future().completeExceptionally(new CommitUnknownException("no outcome for the "
            + d.what() + " within " + requestTimeoutMillis + " ms"));
      }
    }
  }

  void onOutcome(Outcome o) {
    if (o instanceof Outcome.ProposalAccepted a) {
      membershipChanges.remove(a.requestId());
      CompletableFuture<SubmitResult> f = awaitingIndex.remove(a.requestId());
      if (f == null) {
        return;
      }
      if (a.index() <= appliedIndex) {
        Applier.Applied done = recentlyApplied[(int) (a.index() % RECENTLY_APPLIED)];
        if (done != null && done.index() == a.index()) {
          complete(new Submitted(a.requestId(), a.index(), a.term(), f), done);
        } else {
          f.completeExceptionally(new CommitUnknownException(
              "entry " + a.index() + " was applied before its answer arrived; outcome unknown"));
        }
        return;
      }
      awaitApply(new Submitted(a.requestId(), a.index(), a.term(), f));
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

  private void awaitApply(Submitted s) {
    Submitted last = awaitingApply.peekLast();
    if (last == null || last.index() <= s.index()) {
      awaitingApply.addLast(s);
      return;
    }
    List<Submitted> all = new ArrayList<>(awaitingApply); // rare: after a leader change
    all.add(s);
    all.sort(java.util.Comparator.comparingLong(Submitted::index)); // stable
    awaitingApply.clear();
    awaitingApply.addAll(all);
  }

  void onApplied(Applier.Applied a) {
    appliedIndex = a.index();
    recentlyApplied[(int) (a.index() % RECENTLY_APPLIED)] = a;
    Submitted s;
    while ((s = awaitingApply.peekFirst()) != null && s.index() <= a.index()) {
      awaitingApply.pollFirst();
      // Two submits may wait on one index (one of them overwritten): the term tells them apart.
      complete(s, a);
    }
  }

  private void complete(Submitted s, Applier.Applied a) {
    if (s.term() != a.term()) {
      s.future().completeExceptionally(new NotLeaderException(
          "entry " + a.index() + " was overwritten by a later leader; the command was not applied",
          core.leader()));
    } else {
      answer(s.future(), a.index(), a.term(), a.result());
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
      f.complete(new SubmitResult(index, term, new byte[0]));
    }
  }

  /** Requests waiting for entries a snapshot replaced cannot learn their results. */
  void onSnapshotInstalled(long index) {
    appliedIndex = Math.max(appliedIndex, index);
    Submitted s;
    while ((s = awaitingApply.peekFirst()) != null && s.index() <= index) {
      awaitingApply.pollFirst().future().completeExceptionally(new CommitUnknownException(
          "the entry was replaced here by a snapshot from the leader before it was applied"));
    }
  }

  /** A leader that stepped down cannot tell whether its uncommitted entries will commit. */
  void onLeadershipLost(long commitIndex) {
    Submitted s;
    while ((s = awaitingApply.peekLast()) != null && s.index() > commitIndex) {
      awaitingApply.pollLast().future().completeExceptionally(new CommitUnknownException(
          "node " + self + " lost leadership before the command was known to be committed"));
    }
  }

  void failAll(FloeException e) {
    awaitingIndex.values().forEach(f -> f.completeExceptionally(e));
    awaitingApply.forEach(s -> s.future().completeExceptionally(e));
    reads.values().forEach(r -> r.future().completeExceptionally(e));
    readsAwaitingApply.values().forEach(l -> l.forEach(r -> r.future().completeExceptionally(e)));
    transfers.values().forEach(f -> f.completeExceptionally(e));
    awaitingIndex.clear();
    membershipChanges.clear();
    awaitingApply.clear();
    reads.clear();
    readsAwaitingApply.clear();
    transfers.clear();
    deadlines.clear();
  }
}
