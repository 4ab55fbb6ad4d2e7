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
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.internal.core.Commands;
import dev.floe.raft.internal.core.Event;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.spi.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A member of a Floe cluster: the Raft algorithm driven over a {@link Transport}, a {@link LogStore}
 * and the application's {@link StateMachine}.
 *
 * <pre>{@code
 * RaftNode node = RaftNode.builder()
 *     .id(NodeId.of("n1"))
 *     .clusterId(clusterId)                      // ClusterId.random() once, when founding
 *     .members(List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3")))
 *     .stateMachine(myStateMachine)
 *     .transport(transport)
 *     .logStore(store)
 *     .build();
 * node.start();
 * SubmitResult r = node.submit(command).get();
 * }</pre>
 *
 * <h2>Threading</h2>
 * Every public method is thread-safe and returns at once. The algorithm runs on one event loop;
 * the state machine runs on a separate apply thread. A submit or a query completes on the apply
 * thread, right after its entry is applied or its answer computed (failures may complete on the
 * event loop): attach callbacks that block or take long with the {@code *Async} variants, or the
 * state machine waits for them.
 *
 * <h2>Guarantees</h2>
 * A submit completes normally only once its command is committed (durable on a majority) and
 * applied by this node's state machine. It fails with {@link NotLeaderException} when it certainly
 * had no effect, and with {@link CommitUnknownException} when its fate is unknown.
 */
public final class RaftNode implements AutoCloseable {
  /** What the node is made of; package-private for the helpers beside the facade (Backup). */
  final NodeParts parts;
  private final NodeId id;
  private final RaftNodeBuilder settings;

  RaftNode(RaftNodeBuilder b) {
    this.parts = new NodeParts(b);
    this.id = b.id();
    this.settings = b;
  }

  /** {@return a builder} */
  public static RaftNodeBuilder builder() {
    return new RaftNodeBuilder();
  }

  /**
   * Recovers the node's state from its stores, checks it against the settings, then starts taking
   * part in the cluster. It returns without waiting for the disk: what recovery writes (the
   * identity of a new store, a log reset after an interrupted snapshot install) becomes durable
   * before anything that depends on it is acknowledged.
   *
   * <p>On a new store (one that holds nothing) it records the node's identity: its id, the
   * cluster id and, for a founding member, the {@link RaftNodeBuilder#members founding members}.
   * Every later start checks them: a data directory of another node or cluster is refused with an
   * {@link IdentityMismatchException}, and members that match neither the founding members nor the
   * membership in effect fail the start, since the stored membership always rules.
   *
   * @throws IdentityMismatchException if the store belongs to another node or cluster
   * @throws IOException if the store cannot be opened (for example, it is corrupt, or parts of it
   *     are missing) or the transport cannot start
   * @throws IllegalArgumentException if {@link RaftNodeBuilder#members} or {@link
   *     RaftNodeBuilder#join} contradict what the store records, or a new store gets neither
   * @throws IllegalStateException if called twice
   */
  public void start() throws IOException {
    parts.start();
  }

  /**
   * Replicates a command and applies it.
   *
   * @param command the command bytes, handed to {@link StateMachine#apply} on every node. The array
   *     becomes the log entry's payload as it is, without a copy: do not change it after the call
   * @return a future completing with the command's index and result once it is committed and
   *     applied on this node; it fails with {@link NotLeaderException} (no effect),
   *     {@link CommitUnknownException} (fate unknown), {@link OverloadedException}, {@link
   *     CommandTooLargeException} (over {@link RaftOptions#maxCommandBytes()}; no effect) or
   *     {@link NodeStoppedException}
   */
  public CompletableFuture<SubmitResult> submit(byte[] command) {
    Objects.requireNonNull(command, "command");
    return submitPayload(EntryType.COMMAND, () -> command, command.length);
  }

  /**
   * Replicates a command within a client session, so that retrying it is safe: whichever copies
   * reach the log, the state machine applies it once, and every copy is answered with the first
   * application's index and result (thesis §6.3).
   *
   * @param command the command bytes
   * @param session the client and the command's sequence number in its session
   * @return as {@link #submit(byte[])}; it also fails with {@link FloeException} if the sequence is
   *     older than the session's last applied one
   */
  public CompletableFuture<SubmitResult> submit(byte[] command, SessionRequest session) {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(session, "session");
    return submitPayload(EntryType.SESSION_COMMAND,
        () -> Commands.session(session.clientId(), session.sequence(), command), command.length);
  }

  /** Submits the payload of a command of {@code commandBytes}, built only if not too large. */
  private CompletableFuture<SubmitResult> submitPayload(EntryType type, Supplier<byte[]> payload,
      int commandBytes) {
    CompletableFuture<SubmitResult> future = new CompletableFuture<>();
    if (parts.metrics.enabled) {
      future.whenComplete((r, e) -> parts.metrics.submitEnded(e));
    }
    if (commandBytes > settings.options().maxCommandBytes()) {
      future.completeExceptionally(
          Failures.tooLarge(commandBytes, settings.options().maxCommandBytes()));
      return future;
    }
    byte[] entry = payload.get();
    parts.submitOnLoop(type, entry, future);
    return future;
  }

  /**
   * Waits for a leader that takes writes: one that leads this node's term and has committed an
   * entry of its term (a new leader's first entry), so that a submit or a linearizable read made
   * now goes through without waiting for an election.
   *
   * @param timeout how long to wait
   * @return a future of the leader's id, failed with a TimeoutException if none within timeout
   */
  public CompletableFuture<NodeId> awaitLeader(Duration timeout) {
    CompletableFuture<NodeId> future = new CompletableFuture<>();
    long millis = Math.max(1, timeout.toMillis());
    parts.onLoop(future, l -> l.requests().awaitLeader(millis, future));
    return future;
  }

  /**
   * Runs a read-only query against the state machine.
   *
   * @param query the query bytes, handed to {@link StateMachine#query}
   * @param consistency how fresh the answer must be
   * @return a future completing with the state machine's answer
   */
  public CompletableFuture<byte[]> query(byte[] query, ReadConsistency consistency) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(consistency, "consistency");
    CompletableFuture<byte[]> future = new CompletableFuture<>();
    if (parts.metrics.enabled) {
      future.whenComplete((r, e) -> parts.metrics.queryEnded(e));
    }
    parts.onLoop(future, l -> l.requests().query(query, consistency, future));
    return future;
  }

  /**
   * Hands leadership to {@code target} (thesis §3.10): this leader stops taking proposals, brings
   * the target up to date and tells it to campaign at once.
   *
   * @param target the node to lead, or {@code null} for the most up-to-date follower
   * @return a future completing with the new leader once it leads; it fails with {@link
   *     NotLeaderException} if this node does not lead, or {@link TransferFailedException} if the
   *     target did not take over within an election timeout (this node then leads on)
   */
  public CompletableFuture<NodeId> transferLeadership(NodeId target) {
    CompletableFuture<NodeId> future = new CompletableFuture<>();
    parts.onLoop(future, l -> l.requests().transfer(target, future));
    return future;
  }

  /**
   * Adds a learner: a member that receives the log but does not vote, so it costs the cluster no
   * quorum however far behind it is. Call on the leader.
   *
   * @param member the node to add
   * @param address its address for the transport (such as {@code 127.0.0.1:7004}); empty if the
   *     transports already know it. Every member learns it from the log.
   * @return a future completing with the new configuration once it is committed and applied here
   *     (at once, with the current one, if the node is a member already); it fails with {@link
   *     NotLeaderException} if this node does not lead, or {@link CommitUnknownException} if
   *     leadership was lost before the change was known to be committed
   */
  public CompletableFuture<Configuration> addLearner(NodeId member, String address) {
    return changeMembership(Event.MembershipChangeKind.ADD_LEARNER, member, address);
  }

  /**
   * Adds a voter without putting the quorum at risk: the node joins as a learner, and is promoted
   * once its log is within {@link RaftOptions#learnerCatchUpEntries()} of the leader's. Each step
   * changes one member (thesis §4.1), so any two successive majorities overlap. Call on the
   * leader; the node must be running (with {@link RaftNodeBuilder#join()}) to catch up.
   *
   * @param member the node to add
   * @param address as {@link #addLearner}
   * @return as {@link #addLearner}, with the configuration in which it votes; it also fails with
   *     {@link CatchUpTimeoutException} if the learner did not catch up within {@link
   *     RaftOptions#learnerCatchUpTimeoutMillis()} (it then stays a learner)
   */
  public CompletableFuture<Configuration> addVoter(NodeId member, String address) {
    return changeMembership(Event.MembershipChangeKind.ADD_VOTER, member, address);
  }

  /**
   * Makes a learner a voter once it has caught up. Call on the leader.
   *
   * @param learner the learner to promote
   * @return as {@link #addVoter}; it also fails with {@link MembershipChangeRefusedException} if
   *     the node is not a learner
   */
  public CompletableFuture<Configuration> promote(NodeId learner) {
    return changeMembership(Event.MembershipChangeKind.PROMOTE, learner, "");
  }

  /**
   * Removes a voter or a learner. A leader may remove itself: it leads until the change commits,
   * then hands leadership to the most up-to-date voter and steps down. A removed node's vote
   * requests are ignored by the members, so it cannot disturb them; stop it once the change has
   * committed. Call on the leader.
   *
   * @param member the voter or learner to remove
   * @return as {@link #addLearner}, with the configuration without the node (at once if it is no
   *     member); it also fails with {@link MembershipChangeRefusedException} for the last voter
   */
  public CompletableFuture<Configuration> removeMember(NodeId member) {
    return changeMembership(Event.MembershipChangeKind.REMOVE, member, "");
  }

  private CompletableFuture<Configuration> changeMembership(
      Event.MembershipChangeKind kind, NodeId member, String address) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(address, "address");
    CompletableFuture<SubmitResult> applied = new CompletableFuture<>();
    parts.onLoop(applied, l -> l.requests().changeMembership(kind, member, address, applied));
    return applied.thenApply(r -> Configuration.decode(r.result()));
  }

  /** {@return the configuration in effect on this node (the last in its log, committed or not)} */
  public Configuration configuration() {
    NodeLoop l = parts.loop();
    return l == null ? Configuration.empty() : l.configuration();
  }

  /**
   * Takes a snapshot of the state machine now (on the apply thread, after the entries handed to it)
   * and compacts the log behind it.
   *
   * @return a future completing with the index the snapshot covers
   * @throws IllegalStateException if the node was built without a snapshot store
   */
  public CompletableFuture<Long> takeSnapshot() {
    if (parts.applier.snapshots() == null) {
      throw new IllegalStateException("node " + id + " has no snapshot store");
    }
    CompletableFuture<Long> future = new CompletableFuture<>();
    parts.applier.takeSnapshot(future);
    return future;
  }

  /** {@return this node's current state} */
  public RaftStatus status() {
    return parts.status.current();
  }

  /** {@return this node's id} */
  public NodeId id() {
    return id;
  }

  /** {@return the id of the cluster this node belongs to, once {@link #start()} has read it} */
  public Optional<ClusterId> clusterId() {
    return parts.clusterId();
  }

  /**
   * Stops the node. A leader first hands its leadership to the most up-to-date voter (waiting at
   * most an election timeout), so the others need not wait for an election; then every pending
   * request fails with {@link NodeStoppedException}, and the transport, the log store and the
   * snapshot store are closed. Idempotent.
   */
  @Override
  public void close() {
    parts.close();
  }
}
