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
import dev.floe.raft.cluster.Role;
import dev.floe.raft.internal.core.Event;
import dev.floe.raft.internal.core.RaftCore;
import dev.floe.raft.message.EntryType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The requests callers hand to the event loop: submits, queries, transfers, membership changes and
 * waits for a leader. Each gets an id (unique across restarts, see {@link NodeParts}), is
 * registered with {@link PendingRequests} to await its outcome, and is stepped into the core;
 * submits are batched into one Propose event per drain. Loop only.
 */
final class Requests {
  private final NodeId self;
  private final RaftOptions options;
  private final RaftCore core;
  private final PendingRequests pending;
  private final Applier applier;
  /** Fails a request's future, and returns false, when the node is not active. */
  private final Predicate<CompletableFuture<?>> active;
  private final List<Event.Proposal> proposalBatch = new ArrayList<>();
  private long nextRequestId;
  private final NodeMetrics metrics;

  Requests(NodeId self, RaftOptions options, RaftCore core, PendingRequests pending,
      Applier applier, Predicate<CompletableFuture<?>> active, long firstRequestId,
      NodeMetrics metrics) {
    this.metrics = metrics;
    this.self = self;
    this.options = options;
    this.core = core;
    this.pending = pending;
    this.applier = applier;
    this.active = active;
    this.nextRequestId = firstRequestId;
  }

  /** A command to propose with this drain's batch. */
  void submit(EntryType type, byte[] payload, CompletableFuture<SubmitResult> future) {
    if (!active.test(future)) {
      return;
    }
    if (pending.size() >= options.maxPendingRequests()) {
      future.completeExceptionally(new OverloadedException(
          "node " + self + " has " + pending.size() + " requests waiting (maxPendingRequests)"));
      return;
    }
    long requestId = nextRequestId++;
    pending.addSubmit(requestId, future, metrics.now());
    proposalBatch.add(new Event.Proposal(requestId, type, payload));
  }

  /** A query: LOCAL at once on the apply thread, else after a read index from the leader. */
  void query(byte[] query, ReadConsistency consistency, CompletableFuture<byte[]> future) {
    if (!active.test(future)) {
      return;
    }
    if (consistency == ReadConsistency.LOCAL) {
      applier.query(query, future);
      return;
    }
    long requestId = nextRequestId++;
    pending.addRead(requestId, query, future);
    core.step(consistency == ReadConsistency.LEASE
        ? new Event.LeaseRead(requestId) : new Event.ReadIndex(requestId));
    if (core.role() != Role.LEADER) {
      pending.forwarded(requestId, core.term());
    }
  }

  /** Completes once a leader that has committed an entry of its term is known here. */
  void awaitLeader(long timeoutMillis, CompletableFuture<NodeId> future) {
    if (!active.test(future)) {
      return;
    }
    if (core.hasLeaderThatTakesWrites()) {
      future.complete(core.leader());
    } else {
      pending.addLeaderWait(future, timeoutMillis);
    }
  }

  /** Asks the core to hand leadership over (to the most up-to-date voter if target is null). */
  void transfer(NodeId target, CompletableFuture<NodeId> future) {
    if (!active.test(future)) {
      return;
    }
    long requestId = nextRequestId++;
    pending.addTransfer(requestId, future);
    core.step(new Event.TransferLeadership(requestId, target));
  }

  /** A membership change, which the leader queues and carries out one step at a time. */
  void changeMembership(Event.MembershipChangeKind kind, NodeId member, String address,
      CompletableFuture<SubmitResult> applied) {
    if (active.test(applied)) {
      long requestId = nextRequestId++;
      pending.addMembershipChange(requestId, applied);
      core.step(new Event.ChangeMembership(requestId, kind, member, address));
    }
  }

  /** Proposes this drain's submits in one event; those sent to a leader are noted with its term. */
  void proposeBatch() {
    if (proposalBatch.isEmpty()) {
      return;
    }
    boolean forwarding = core.role() != Role.LEADER;
    long term = core.term();
    core.step(new Event.Propose(new ArrayList<>(proposalBatch),
        pending.lowestAwaitingIndex(nextRequestId)));
    if (forwarding) {
      proposalBatch.forEach(p -> pending.forwarded(p.requestId(), term));
    }
    proposalBatch.clear();
  }
}
