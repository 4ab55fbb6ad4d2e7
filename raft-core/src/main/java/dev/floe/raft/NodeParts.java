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
import dev.floe.raft.message.EntryType;
import dev.floe.raft.spi.EventLoop;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.SnapshotStore;
import dev.floe.raft.spi.Transport;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one node is made of, wired from its builder: its threads, the applier, the published status
 * and the event dispatcher. It starts them in order (recovery, then the loop) and stops them in the
 * reverse. Used by the thread that calls {@link RaftNode#start()} and {@link RaftNode#close()}.
 */
final class NodeParts {
  private static final Logger log = LoggerFactory.getLogger(NodeParts.class);

  /**
   * The room a message needs besides one command: an AppendEntries' header and one entry's
   * framing, with ample margin for any transport's own.
   */
  static final int MESSAGE_OVERHEAD_BYTES = 16 * 1024;

  final NodeId id;
  final RaftNodeBuilder settings;
  final Applier applier;
  final NodeStatus status;
  private final Transport transport;
  private final LogStore store;
  private final EventLoop loop;
  private final EventDispatcher events;
  /** The node's meters (which record nothing without a metrics sink). */
  final NodeMetrics metrics;
  /** The threads this node started itself (none if the builder was given its threads). */
  private final NodeThreads ownedThreads;
  private final RandomGenerator random;
  /** The first id of this incarnation's requests. */
  private final long firstRequestId;
  private volatile NodeLoop running;
  private volatile ClusterId clusterId;
  private volatile boolean started;
  private volatile boolean closed;

  NodeParts(RaftNodeBuilder b) {
    this.settings = b;
    this.id = b.id();
    this.transport = b.transport();
    this.store = b.logStore();
    Executor applyThread;
    if (b.eventLoop() != null) {
      this.loop = b.eventLoop();
      applyThread = b.applyExecutor();
      this.ownedThreads = null;
    } else {
      // The transport's own I/O thread, if it offers one: messages then step the core, and the
      // core's messages are written, without a thread hand-off.
      this.ownedThreads = new NodeThreads(id.value(), transport.eventLoop().orElse(null));
      this.loop = ownedThreads.loop;
      applyThread = ownedThreads.applier;
    }
    this.random = b.random() != null ? b.random() : RandomGenerator.of("L64X128MixRandom");
    // Request ids travel to other nodes (forwarded submits, reads), so they must not repeat
    // across restarts: a late answer to an earlier incarnation's request would complete the wrong
    // future. Each incarnation numbers from a random epoch in the high bits.
    this.firstRequestId = ((random.nextLong() >>> 33) << 32) + 1;
    this.applier = new Applier(id, b.stateMachine(), applyThread, b.snapshotStore() == null
        ? null : new SnapshotTaker.Settings(b.snapshotStore(), b.snapshotOptions()));
    this.status = new NodeStatus(id, b.members(), b.snapshotStore());
    this.metrics = new NodeMetrics(id, b.metrics(), b.clock());
    this.events = new EventDispatcher(id, b.listener(), metrics);
  }

  /** Recovers the node's state from its stores, checks it against the settings, starts the loop. */
  void start() throws IOException {
    if (started) {
      throw new IllegalStateException("node " + id + " is already started");
    }
    started = true;
    checkTransportCarriesLargestCommand();
    if (events.metrics().enabled) {
      Map<String, String> tags = Map.of("node", id.value());
      store.bindMetrics(settings.metrics(), tags);
      transport.bindMetrics(settings.metrics(), tags);
    }
    if (settings.restoreFrom() != null) {
      // The whole backup is checked before any store is opened: a bad one leaves nothing behind.
      Backup.Info backup = Backup.verify(settings.restoreFrom());
      log.info("{}: founding a new cluster from backup {} ({})", id, settings.restoreFrom(), backup);
    }
    Recovery.Recovered r = new Recovery(id, settings.clusterId(), settings.members(),
        settings.joining(), store, applier, settings.restoreFrom())
        .run(settings.options(), random, settings.clock());
    NodeLoop nodeLoop = new NodeLoop(id, settings.options(), loop, transport, store, applier,
        status, events, r.core(), firstRequestId, r.snapshotIndex());
    nodeLoop.start(r.clusterId());
    clusterId = r.clusterId();
    running = nodeLoop;
  }

  /** The snapshot store (for backups). */
  SnapshotStore snapshotStore() {
    if (settings.snapshotStore() == null) {
      throw new IllegalStateException("node " + id + " has no snapshot store: it takes no backups");
    }
    return settings.snapshotStore();
  }

  /** The event loop's side of the node once started, else null. */
  NodeLoop loop() {
    return running;
  }

  Optional<ClusterId> clusterId() {
    return Optional.ofNullable(clusterId);
  }

  /** Hands a request to the event loop, or fails it at once if the node is not running. */
  void onLoop(CompletableFuture<?> future, Consumer<NodeLoop> request) {
    NodeLoop l = runningLoop(future);
    if (l != null) {
      l.enqueue(() -> request.accept(l));
    }
  }

  /**
   * Hands a submit to the event loop, as {@link #onLoop} does, in one task object: a submit is
   * the one request made for every entry, and two lambdas per submit were a measurable share of
   * what a node allocates per entry.
   */
  void submitOnLoop(EntryType type, byte[] entry, CompletableFuture<SubmitResult> future) {
    NodeLoop l = runningLoop(future);
    if (l != null) {
      l.enqueue(new SubmitTask(l, type, entry, future));
    }
  }

  /** The running node's loop, or null once {@code future} is failed because there is none. */
  private NodeLoop runningLoop(CompletableFuture<?> future) {
    NodeLoop l = running;
    if (l == null || closed) {
      future.completeExceptionally(new NodeStoppedException("node " + id + " is not running", null));
      return null;
    }
    return l;
  }

  private record SubmitTask(NodeLoop loop, EntryType type, byte[] entry,
      CompletableFuture<SubmitResult> future) implements Runnable {
    @Override
    public void run() {
      loop.requests().submit(type, entry, future);
    }
  }

  /** Stops the node once (see {@link RaftNode#close()}). */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop(running);
  }

  private void checkTransportCarriesLargestCommand() {
    long needed = (long) settings.options().maxCommandBytes() + MESSAGE_OVERHEAD_BYTES;
    if (needed > transport.maxMessageBytes()) {
      throw new IllegalArgumentException("maxCommandBytes (" + settings.options().maxCommandBytes()
          + " bytes) plus " + MESSAGE_OVERHEAD_BYTES + " bytes of framing is more than the "
          + "transport's largest message (" + transport.maxMessageBytes() + " bytes): raise the "
          + "transport's limit or lower maxCommandBytes");
    }
  }

  /**
   * Stops everything: a leader first hands its leadership over (bounded by an election timeout),
   * then the loop fails its pending requests (the loop may be the transport's, which then stops),
   * then the transport, the stores and the threads.
   *
   * @param running the loop, or null if the node never started
   */
  private void stop(NodeLoop running) {
    if (running != null && !loop.inLoop()) {
      // Bounded: a transfer that does not finish within an election timeout is given up.
      running.handOverLeadership()
          .orTimeout(settings.options().electionTimeoutMaxMillis(), TimeUnit.MILLISECONDS)
          .exceptionally(e -> null).join();
    }
    if (running != null) {
      CompletableFuture<Void> done = running.close();
      if (ownedThreads != null && !loop.inLoop()) {
        done.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
      }
    }
    transport.close();
    try {
      store.close();
    } catch (IOException e) {
      log.warn("{}: closing the log store failed", id, e);
    }
    try {
      if (ownedThreads != null) {
        ownedThreads.close();
      }
      events.close();
    } catch (Exception e) {
      log.warn("{}: stopping threads failed", id, e);
    }
    events.metrics().close();
    if (settings.snapshotStore() != null) {
      try {
        settings.snapshotStore().close(); // after the apply thread, which uses it, has stopped
      } catch (IOException e) {
        log.warn("{}: closing the snapshot store failed", id, e);
      }
    }
  }
}
