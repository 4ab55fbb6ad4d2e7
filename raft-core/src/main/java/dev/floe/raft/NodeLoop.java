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
import dev.floe.raft.cluster.Role;
import dev.floe.raft.internal.core.Event;
import dev.floe.raft.internal.core.Outcome;
import dev.floe.raft.internal.core.RaftCore;
import dev.floe.raft.internal.core.Ready;
import dev.floe.raft.message.InstallSnapshotResponse;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.EventLoop;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.Transport;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the node's event loop owns: the core, the requests waiting for their outcome, and
 * the carrying out of each {@link Ready} (writes to the store, messages, entries for the applier,
 * outcomes). Other threads reach it only through {@link #enqueue}, {@link #onMessage} and {@link
 * #post}, which hand work to the loop; every other method runs on the loop.
 */
final class NodeLoop {
  private static final Logger log = LoggerFactory.getLogger(NodeLoop.class);

  private final NodeId self;
  private final RaftOptions options;
  private final EventLoop loop;
  private final Transport transport;
  private final StoreWrites writes;
  private final Applier applier;
  private final NodeStatus status;
  private final EventDispatcher events;
  /** The leader's snapshot transfers, or {@code null} without a snapshot store. */
  private final SnapshotSender snapshotSender;
  private final SnapshotInstaller snapshotInstaller;
  private final RaftCore core;
  private final PendingRequests pending;
  private final Requests requests;

  // Filled by any thread, drained by the loop.
  private final ConcurrentLinkedQueue<RaftMessage> inbox = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Runnable> queuedCalls = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  // Loop only.
  private long handedToApplyIndex;
  private Role lastRole = Role.FOLLOWER;
  private long lastTerm;
  private EventLoop.Cancellable tickTask;
  /** The configuration in effect, as last seen by the loop; read by other threads. */
  private volatile Configuration lastConfiguration;
  private volatile boolean closed;
  private volatile Throwable failure;

  NodeLoop(NodeId self, RaftOptions options, EventLoop loop, Transport transport, LogStore store,
      Applier applier, NodeStatus status, EventDispatcher events, RaftCore core,
      long firstRequestId, long handedToApplyIndex) {
    this.self = self;
    this.options = options;
    this.loop = loop;
    this.transport = transport;
    this.writes = new StoreWrites(self, store, transport, events.metrics(), this::post,
        this::isActive, this::afterPersist);
    this.applier = applier;
    this.status = status;
    this.events = events;
    this.core = core;
    this.lastTerm = core.term();
    this.handedToApplyIndex = handedToApplyIndex;
    this.pending = new PendingRequests(self, options, applier, core, events.metrics());
    this.requests = new Requests(self, options, core, pending, applier, this::checkActive,
        firstRequestId, events.metrics());
    this.lastConfiguration = core.configuration();
    SnapshotTaker snapshots = applier.snapshots();
    if (snapshots != null) {
      this.snapshotSender = new SnapshotSender(self, snapshots, applier.applyThread());
      this.snapshotInstaller =
          new SnapshotInstaller(self, snapshots, applier, applier.applyThread());
      snapshotSender.attach(this);
      snapshotInstaller.attach(this);
    } else {
      this.snapshotSender = null;
      this.snapshotInstaller = null;
    }
    applier.attach(this, status, events);
  }

  /** Starts taking part: the transport delivers messages to this loop, and the timer runs. */
  void start(ClusterId clusterId) throws IOException {
    status.publish(core, false, null);
    events.metrics().registerGauges(status);
    events.metrics().membersChanged(lastConfiguration, status);
    transport.start(clusterId, self, this::onMessage);
    transport.membersChanged(lastConfiguration);
    loop.execute(this::scheduleTick);
  }

  Configuration configuration() {
    return lastConfiguration;
  }

  /** The requests callers hand to the loop (call on the loop). */
  Requests requests() {
    return requests;
  }

  // ---------------------------------------------------------------- from any thread

  void onMessage(RaftMessage message) {
    inbox.add(message);
    scheduleDrain();
  }

  /** Hands a request to the loop; it runs at the next drain, before the batch's effects. */
  void enqueue(Runnable request) {
    queuedCalls.add(request);
    scheduleDrain();
  }

  /** Runs a task on the loop (guarded like every loop task). */
  void post(Runnable task) {
    loop.execute(() -> guarded(task));
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      loop.execute(() -> guarded(this::drain));
    }
  }

  /**
   * Stops: the timer is cancelled and every pending request fails with {@link
   * NodeStoppedException}; the returned future completes once that is done on the loop.
   */
  CompletableFuture<Void> close() {
    closed = true;
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(() -> {
      if (tickTask != null) {
        tickTask.cancel();
      }
      pending.failAll(new NodeStoppedException("node " + self + " is closed", null));
      done.complete(null);
    });
    return done;
  }

  /** Fails {@code future} unless the node is active; returns whether it is. */
  boolean checkActive(CompletableFuture<?> future) {
    if (isActive()) {
      return true;
    }
    future.completeExceptionally(new NodeStoppedException(closed
        ? "node " + self + " is not running" : "node " + self + " stopped: " + failure, failure));
    return false;
  }

  private boolean isActive() {
    return !closed && failure == null;
  }

  /**
   * Before a leader stops: hands leadership to the most up-to-date voter, so the cluster does not
   * wait an election timeout for a new one, and what was forwarded elsewhere is retried there
   * rather than left waiting. Completes when handed over, or at once if no voter that answered
   * recently can take over; the caller bounds the wait.
   */
  CompletableFuture<NodeId> handOverLeadership() {
    CompletableFuture<NodeId> done = new CompletableFuture<>();
    enqueue(() -> {
      NodeId successor = isActive() ? core.successor() : null;
      if (successor != null) {
        requests.transfer(successor, done);
      } else {
        done.complete(core.leader());
      }
    });
    return done;
  }

  // ---------------------------------------------------------------- the loop

  /** Steps everything that arrived since the last pass, then carries out one batch of effects. */
  private void drain() {
    drainScheduled.set(false);
    if (!isActive()) {
      inbox.clear();
      Runnable r;
      while ((r = queuedCalls.poll()) != null) {
        r.run(); // each request fails itself when the node is not active
      }
      return;
    }
    catchUpApplied();
    RaftMessage m;
    while ((m = inbox.poll()) != null) {
      if (snapshotSender != null && m instanceof InstallSnapshotResponse r
          && core.role() == Role.LEADER && r.term() == core.term()) {
        snapshotSender.onResponse(r);
      }
      core.step(new Event.Receive(m));
    }
    Runnable r;
    while ((r = queuedCalls.poll()) != null) {
      r.run();
    }
    requests.proposeBatch();
    processReady();
  }

  private void scheduleTick() {
    if (!isActive()) {
      return;
    }
    tickTask = loop.schedule(options.tickMillis(), () -> guarded(() -> {
      if (isActive()) {
        pending.tick();
        catchUpApplied();
        core.step(new Event.Tick());
        processReady();
        status.publish(core, true, failure);
        if (events.metrics().enabled) {
          status.publishForMetrics(pending.size(), true, core);
        }
        scheduleTick();
      }
    }));
  }

  private void processReady() {
    Ready ready = core.ready();
    ready.roleChanges().forEach(events::roleChanged);
    if (ready.mustPersist() && !write(ready)) {
      return;
    }
    followConfiguration();
    for (RaftMessage m : ready.messages()) {
      transport.send(m);
    }
    writes.sendWhenDurable(ready.messagesAfterPersist()); // and syncs, after the sends' flush
    for (Outcome o : ready.outcomes()) {
      pending.onOutcome(o);
    }
    if (snapshotSender != null) {
      ready.snapshotsToSend().forEach(t -> snapshotSender.send(t.to(), t.round(), core.term()));
      ready.snapshotChunks().forEach(snapshotInstaller::receive);
    }
    if (!ready.committedEntries().isEmpty()) {
      List<LogEntry> committed = ready.committedEntries();
      handedToApplyIndex = committed.get(committed.size() - 1).index();
      applier.submit(committed, pending.handOff(handedToApplyIndex));
      pending.handedOver(handedToApplyIndex);
    }
    if (core.handedToApplyIndex() > handedToApplyIndex) {
      // The core hands over every entry it counts as handed, so a gap means that a snapshot from
      // the leader now stands for the log up to there.
      handedToApplyIndex = core.handedToApplyIndex();
      pending.onSnapshotInstalled(handedToApplyIndex);
      pending.handedOver(handedToApplyIndex);
    }
    if (lastRole == Role.LEADER && core.role() != Role.LEADER) {
      pending.onLeadershipLost(core.commitIndex());
      if (snapshotSender != null) {
        snapshotSender.stopAll();
      }
    }
    lastRole = core.role();
    if (core.term() != lastTerm) {
      lastTerm = core.term();
      pending.onTermChanged(lastTerm);
    }
    if (core.hasLeaderThatTakesWrites()) {
      pending.onLeaderReady(core.leader());
    }
    status.publish(core, false, failure);
    if (events.metrics().enabled) {
      status.publishForMetrics(pending.size(), false, core);
    }
  }

  /** Hands the batch's writes to the store (synced once sent); false if the store failed. */
  private boolean write(Ready ready) {
    try {
      writes.write(ready);
      return true;
    } catch (IOException | RuntimeException e) {
      fail(e);
      return false;
    }
  }

  /** Tells the transport (before this batch's messages go out, so a newcomer is reachable). */
  private void followConfiguration() {
    if (core.configuration() != lastConfiguration) {
      lastConfiguration = core.configuration();
      events.membershipChanged(lastConfiguration, core.configurationIndex());
      events.metrics().membersChanged(lastConfiguration, status);
      transport.membersChanged(lastConfiguration);
      if (snapshotSender != null) {
        snapshotSender.retainOnly(lastConfiguration.members());
      }
    }
  }

  /** Once a write is durable: this node's own answers to itself, or the failure. */
  private void afterPersist(List<RaftMessage> messages, Throwable error) {
    if (error != null) {
      fail(error);
      return;
    }
    if (!isActive()) {
      return;
    }
    for (RaftMessage m : messages) {
      core.step(new Event.Receive(m));
    }
    processReady();
  }

  /**
   * Steps how far the state machine has applied, which the apply thread publishes without waking
   * the loop (see {@link Applier#appliedForLoop}); called at every pass of the loop.
   */
  private void catchUpApplied() {
    long applied = applier.appliedForLoop();
    if (applied > core.appliedIndex()) {
      core.step(new Event.Applied(applied));
    }
  }

  /** An event from the apply thread (a snapshot taken or installed), after what it applied. */
  void stepFromApplyThread(Event event) {
    if (isActive()) {
      catchUpApplied();
      core.step(event);
      processReady();
    }
  }

  /** Sends a message from the loop (a snapshot chunk or its answer). */
  void send(RaftMessage message) {
    transport.send(message);
  }

  long term() {
    return core.term();
  }

  EventDispatcher events() {
    return events;
  }

  // ---------------------------------------------------------------- failures

  /**
   * Runs a task of the event loop. An exception escaping it means that an internal check found a
   * broken invariant (or an SPI broke its contract): the node's state can no longer be trusted, so
   * it stops taking part, exactly as after a storage failure, rather than run on mid-way.
   */
  private void guarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | AssertionError e) {
      fail("an internal check failed", e);
    }
  }

  /** A write failed: stop taking part, so that nothing not durable is ever acknowledged. */
  private void fail(Throwable error) {
    fail("storage failed", error);
  }

  /** Stops taking part: fails what is pending, stops the timer, and says why in the status. */
  private void fail(String why, Throwable error) {
    if (failure != null) {
      return;
    }
    failure = new FloeException(why + ": " + error, error);
    log.error("{}: {}; the node stops taking part in the cluster", self, why, error);
    events.publish(new NodeEvent.Stopped(self, failure.getMessage(), error));
    if (tickTask != null) {
      tickTask.cancel();
    }
    pending.failAll(new NodeStoppedException("node " + self + " stopped: " + failure.getMessage(),
        error));
    status.publish(core, false, failure);
  }
}
