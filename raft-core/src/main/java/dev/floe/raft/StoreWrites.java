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
import dev.floe.raft.internal.core.Ready;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.Transport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * The event loop's writes to the log store: each batch's changes are handed to the store, and once
 * the batch's messages are sent a sync of everything written so far runs as a task of its own on
 * the loop; the messages that may leave only once the batch is durable wait for that sync.
 *
 * <p>A small batch is forced on the loop itself ({@link LogStore#syncInline}), as soon as the
 * loop reaches that task: no thread is woken to force it, and none to hear that it is durable, so
 * a follower answers the leader from the thread that decoded the entries. Every batch that came
 * in meanwhile shares the force. The task runs after the tasks the transport queued to flush the
 * batch's messages, so the leader's entries are on their way to the followers while it forces its
 * own copy. A large batch (over {@link #MAX_INLINE_SYNC_BYTES}), a batch behind a sync still under
 * way, or a store that cannot force inline is synced on the store's thread as before, so that the
 * loop goes on answering heartbeats and votes meanwhile.
 */
final class StoreWrites {
  /**
   * The most entry bytes forced on the loop; a larger force is left to the store's thread. 64 KiB:
   * with 256 KiB, 4 KiB commands at C = 64 ran 5 to 20% slower than with the sync thread (the loop
   * stopped decoding while it forced); 100-byte commands at C = 256 stay below it.
   */
  static final long MAX_INLINE_SYNC_BYTES = 64 * 1024;

  private final NodeId self;
  private final LogStore store;
  private final Transport transport;
  private final NodeMetrics metrics;
  private final Executor loop;
  private final BooleanSupplier active;
  private final BiConsumer<List<RaftMessage>, Throwable> onDurable;
  private CompletableFuture<Void> lastSync = CompletableFuture.completedFuture(null);
  /** Written since the last sync was asked for. */
  private boolean unsynced;
  private long unsyncedBytes;
  private int unsyncedEntries;
  /** A sync task is queued on the loop; {@code awaitingSync} waits for it. */
  private boolean syncQueued;
  private final List<RaftMessage> awaitingSync = new ArrayList<>();
  /** Whether the store forces on the caller's thread (until it says it does not). */
  private boolean inline = true;

  /**
   * @param loop runs tasks on the node's loop (guarded)
   * @param active whether the node still takes part (messages are not sent otherwise)
   * @param onDurable called on the loop with this node's answers to itself once durable, or with
   *     the sync's failure
   */
  StoreWrites(NodeId self, LogStore store, Transport transport, NodeMetrics metrics, Executor loop,
      BooleanSupplier active, BiConsumer<List<RaftMessage>, Throwable> onDurable) {
    this.self = self;
    this.metrics = metrics;
    this.store = store;
    this.transport = transport;
    this.loop = loop;
    this.active = active;
    this.onDurable = onDurable;
  }

  /** Hands the batch's changes to the store, in the order the core requires (buffered). */
  void write(Ready ready) throws IOException {
    if (ready.resetLogTo() != 0) {
      store.reset(ready.resetLogTo());
    }
    if (ready.truncateFrom() != 0) {
      store.truncateSuffix(ready.truncateFrom());
    }
    if (!ready.entries().isEmpty()) {
      store.append(ready.entries());
      for (LogEntry e : ready.entries()) {
        unsyncedBytes += e.sizeInBytes();
      }
      unsyncedEntries += ready.entries().size();
    }
    if (ready.termAndVote() != null) {
      store.saveTermAndVote(ready.termAndVote());
    }
    if (ready.compactUpTo() != 0) {
      store.compactPrefix(ready.compactUpTo());
    }
    unsynced = true;
  }

  /**
   * Called once a batch's messages are sent: {@code messages} leave once everything written so
   * far is durable, and a batch that wrote gets its sync queued. Those to other nodes leave from
   * the thread that saw the write become durable (the loop, or the store's thread: a hop through
   * the loop would add a thread wake-up to every commit's critical path); this node's answers to
   * itself, or the sync's failure, go to {@code onDurable} on the loop.
   */
  void sendWhenDurable(List<RaftMessage> messages) {
    if (unsynced || syncQueued) {
      awaitingSync.addAll(messages);
      if (!syncQueued) {
        syncQueued = true;
        loop.execute(this::syncQueuedWrites);
      }
    } else if (!messages.isEmpty()) {
      whenSynced(lastSync, messages);
    }
  }

  /** The queued sync task, on the loop: inline for a small batch, else on the store's thread. */
  private void syncQueuedWrites() {
    syncQueued = false;
    List<RaftMessage> messages = new ArrayList<>(awaitingSync);
    awaitingSync.clear();
    boolean small = unsyncedBytes <= MAX_INLINE_SYNC_BYTES;
    int entries = unsyncedEntries;
    unsynced = false;
    unsyncedBytes = 0;
    unsyncedEntries = 0;
    if (!active.getAsBoolean()) {
      return;
    }
    long start = metrics.enabled ? metrics.now() : 0;
    if (metrics.enabled) {
      metrics.syncRequested(entries);
    }
    if (inline && small && lastSync.isDone()) {
      boolean durable;
      try {
        durable = store.syncInline();
      } catch (IOException | RuntimeException e) {
        onDurable.accept(List.of(), e);
        return;
      }
      if (durable) {
        if (metrics.enabled) {
          metrics.synced(start);
        }
        deliver(messages, null);
        return;
      }
      inline = false;
    }
    lastSync = store.sync();
    if (metrics.enabled) {
      lastSync.whenComplete((v, e) -> metrics.synced(start));
    }
    whenSynced(lastSync, messages);
  }

  private void whenSynced(CompletableFuture<Void> sync, List<RaftMessage> messages) {
    sync.whenComplete((v, error) -> {
      if (error != null) {
        loop.execute(() -> onDurable.accept(List.of(), error));
      } else {
        deliver(messages, loop);
      }
    });
  }

  /** Sends the durable messages to others, and hands this node's own to the loop. */
  private void deliver(List<RaftMessage> messages, Executor toLoop) {
    List<RaftMessage> toSelf = null;
    boolean send = active.getAsBoolean();
    for (RaftMessage m : messages) {
      if (m.to().equals(self)) {
        if (toSelf == null) {
          toSelf = new ArrayList<>(1);
        }
        toSelf.add(m);
      } else if (send) {
        transport.send(m);
      }
    }
    if (toSelf != null) {
      List<RaftMessage> own = toSelf;
      if (toLoop == null) {
        onDurable.accept(own, null);
      } else {
        toLoop.execute(() -> onDurable.accept(own, null));
      }
    }
  }
}
