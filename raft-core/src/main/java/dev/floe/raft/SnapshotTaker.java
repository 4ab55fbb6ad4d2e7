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
import dev.floe.raft.internal.core.Event;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.SnapshotStore;
import dev.floe.raft.spi.StateMachine;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Taking snapshots of the state machine and restoring it from them, on the apply thread (so the
 * consensus loop runs on while the state machine writes). Owned by the {@link Applier}.
 *
 * <p>Snapshot data: magic {@code FLSN}, format version, the client session table, then the state
 * machine's image to the end.
 */
final class SnapshotTaker {
  private static final Logger log = LoggerFactory.getLogger(SnapshotTaker.class);
  private static final int MAGIC = 0x464c534e; // "FLSN"
  private static final int VERSION = 1;

  /** Where snapshots go, and when to take them. */
  record Settings(SnapshotStore store, SnapshotOptions options) {}

  private final NodeId self;
  private final SnapshotStore store;
  private final SnapshotOptions options;
  private final StateMachine stateMachine;
  private final SessionTable sessions;
  private long lastSnapshotIndex;
  /** Command bytes applied since the last snapshot. */
  private long bytesSinceSnapshot;

  SnapshotTaker(NodeId self, Settings settings, StateMachine stateMachine, SessionTable sessions) {
    this.self = self;
    this.store = settings.store();
    this.options = settings.options();
    this.stateMachine = stateMachine;
    this.sessions = sessions;
  }

  SnapshotStore store() {
    return store;
  }

  SnapshotOptions options() {
    return options;
  }

  /** At start, before the node runs: restores the state machine from the latest snapshot. */
  Optional<SnapshotMeta> restoreLatest() throws IOException {
    return restoreLatest(store.open());
  }

  /** Restores the state machine from {@code latest}, the store's latest snapshot, if any. */
  Optional<SnapshotMeta> restoreLatest(Optional<SnapshotMeta> latest) throws IOException {
    if (latest.isPresent()) {
      restore(latest.get());
    }
    return latest;
  }

  /**
   * At the first start of a restored node: opens the store, which must be empty, and publishes the
   * backup in it as the first snapshot (see {@link Backup#seed}); the store is then open.
   */
  SnapshotMeta seed(java.nio.file.Path backup) throws IOException {
    Optional<SnapshotMeta> existing = store.open();
    if (existing.isPresent()) {
      throw new IllegalArgumentException("restoreFrom(" + backup + ") seeds only a new node, but "
          + "the snapshot store of " + self + " holds snapshot " + existing.get() + ": nothing was "
          + "restored or overwritten; restore into an empty data directory");
    }
    SnapshotMeta seeded = Backup.seed(backup, store, self);
    log.info("{} published backup {} as its first snapshot {}", self, backup, seeded);
    return seeded;
  }

  /** Replaces the state machine's state (and the session table) by a published snapshot's. */
  void restore(SnapshotMeta meta) throws IOException {
    try (InputStream raw = store.open(meta, 0)) {
      DataInputStream in = new DataInputStream(new BufferedInputStream(raw));
      if (in.readInt() != MAGIC || in.readInt() != VERSION) {
        throw new IOException("snapshot " + meta + " is not a Floe snapshot of a known version");
      }
      sessions.readFrom(in);
      stateMachine.restore(in);
    }
    lastSnapshotIndex = meta.index();
    bytesSinceSnapshot = 0;
    log.info("{} restored its state machine from snapshot {}", self, meta);
  }

  /**
   * Takes a snapshot if enough entries or bytes were applied since the last.
   *
   * @param appliedBytes the command bytes applied since the previous call
   */
  void maybeTake(long appliedIndex, long appliedTerm, long appliedBytes,
      Configuration configuration, NodeLoop loop) {
    bytesSinceSnapshot += appliedBytes;
    if (appliedIndex - lastSnapshotIndex >= options.thresholdEntries()
        || bytesSinceSnapshot >= options.thresholdBytes()) {
      try {
        take(appliedIndex, appliedTerm, configuration, loop);
      } catch (IOException | RuntimeException e) {
        log.warn("{}: taking a snapshot at {} failed; the log is not compacted", self, appliedIndex, e);
        lastSnapshotIndex = appliedIndex; // retry after another threshold, not at once
        bytesSinceSnapshot = 0;
      }
    }
  }

  /** Writes the state as of {@code index} and publishes it; the loop then compacts the log. */
  SnapshotMeta take(long index, long term, Configuration configuration, NodeLoop loop)
      throws IOException {
    SnapshotMeta meta;
    long started = System.nanoTime();
    try (SnapshotStore.Sink sink = store.begin(index, term, configuration.encode())) {
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(sink.stream(), 1 << 16));
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      sessions.writeTo(out);
      stateMachine.snapshot(out);
      out.flush();
      meta = sink.commit();
    }
    lastSnapshotIndex = index;
    bytesSinceSnapshot = 0;
    long compactUpTo = Math.max(0, index - options.trailingEntries());
    java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - started);
    log.info("{} took snapshot {} in {} ms", self, meta, took.toMillis());
    loop.events().publish(new NodeEvent.SnapshotTaken(self, index, term, meta.sizeBytes(), took));
    loop.post(() -> loop.stepFromApplyThread(new Event.SnapshotTaken(index, term, compactUpTo)));
    return meta;
  }
}
