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
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.Transport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * The event loop's writes to the log store: each batch's changes are handed to the store, then a
 * sync; the messages that may leave only once the batch is durable wait for that sync. Called on
 * the loop; the sync completes on the store's thread.
 */
final class StoreWrites {
  private final NodeId self;
  private final LogStore store;
  private final Transport transport;
  private final NodeMetrics metrics;
  private CompletableFuture<Void> lastSync = CompletableFuture.completedFuture(null);

  StoreWrites(NodeId self, LogStore store, Transport transport, NodeMetrics metrics) {
    this.self = self;
    this.metrics = metrics;
    this.store = store;
    this.transport = transport;
  }

  /** Hands the batch's changes to the store, in the order the core requires, and asks for a sync. */
  void write(Ready ready) throws IOException {
    if (ready.resetLogTo() != 0) {
      store.reset(ready.resetLogTo());
    }
    if (ready.truncateFrom() != 0) {
      store.truncateSuffix(ready.truncateFrom());
    }
    if (!ready.entries().isEmpty()) {
      store.append(ready.entries());
    }
    if (ready.termAndVote() != null) {
      store.saveTermAndVote(ready.termAndVote());
    }
    if (ready.compactUpTo() != 0) {
      store.compactPrefix(ready.compactUpTo());
    }
    lastSync = store.sync();
    if (metrics.enabled) {
      long start = metrics.now();
      metrics.syncRequested(ready.entries().size());
      lastSync.whenComplete((v, e) -> metrics.synced(start));
    }
  }

  /**
   * Sends {@code messages} once everything written so far is durable. Those to other nodes leave
   * from the thread that saw the write become durable (a hop through the event loop would add a
   * thread wake-up to every commit's critical path), if the node is still {@code active}; this
   * node's answers to itself, or the sync's failure, go to {@code onLoop}, which the caller runs
   * on its loop.
   */
  void sendWhenDurable(List<RaftMessage> messages, BooleanSupplier active,
      BiConsumer<List<RaftMessage>, Throwable> onLoop) {
    List<RaftMessage> toSelf = new ArrayList<>(1);
    List<RaftMessage> toOthers = new ArrayList<>(messages.size());
    for (RaftMessage m : messages) {
      (m.to().equals(self) ? toSelf : toOthers).add(m);
    }
    lastSync.whenComplete((v, error) -> {
      if (error == null && active.getAsBoolean()) {
        toOthers.forEach(transport::send);
      }
      if (error != null || !toSelf.isEmpty()) {
        onLoop.accept(toSelf, error);
      }
    });
  }
}
