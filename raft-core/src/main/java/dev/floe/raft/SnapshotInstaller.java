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
import dev.floe.raft.internal.core.Event;
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.InstallSnapshotResponse;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.SnapshotStore;
import java.io.IOException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installing a snapshot the leader streams to this follower, on the apply thread: chunks written
 * in order to the snapshot store, answered with the offset to go on from, and, once the last is
 * in and the snapshot published, the state machine restored from it and the loop told.
 */
final class SnapshotInstaller {
  private static final Logger log = LoggerFactory.getLogger(SnapshotInstaller.class);

  private final NodeId self;
  private final SnapshotTaker snapshots;
  private final Applier applier;
  private final Executor applyThread;
  private NodeLoop loop;
  /** The snapshot being received, or {@code null}. Apply thread only. */
  private Incoming incoming;

  private static final class Incoming {
    final SnapshotStore.Sink sink;
    final long index;
    final long term;
    final long startedNanos = System.nanoTime();
    long written;

    Incoming(SnapshotStore.Sink sink, long index, long term) {
      this.sink = sink;
      this.index = index;
      this.term = term;
    }
  }

  SnapshotInstaller(NodeId self, SnapshotTaker snapshots, Applier applier, Executor applyThread) {
    this.self = self;
    this.snapshots = snapshots;
    this.applier = applier;
    this.applyThread = applyThread;
  }

  void attach(NodeLoop loop) {
    this.loop = loop;
  }

  /** A chunk from the leader: written in order; the last one installs the snapshot. */
  void receive(InstallSnapshotRequest c) {
    applyThread.execute(() -> {
      try {
        receiveOnApplyThread(c);
      } catch (IOException | RuntimeException e) {
        log.warn("{}: installing snapshot {} failed; the leader will resend it", self,
            c.snapshotIndex(), e);
        if (incoming != null) {
          incoming.sink.abort();
          incoming = null;
        }
      }
    });
  }

  private void receiveOnApplyThread(InstallSnapshotRequest c) throws IOException {
    if (incoming != null
        && (incoming.index != c.snapshotIndex() || incoming.term != c.snapshotTerm())) {
      incoming.sink.abort(); // a newer snapshot replaces the one being received
      incoming = null;
    }
    if (incoming == null) {
      if (c.offset() != 0) {
        reply(c, 0);
        return;
      }
      incoming = new Incoming(
          snapshots.store().begin(c.snapshotIndex(), c.snapshotTerm(), c.configuration()),
          c.snapshotIndex(), c.snapshotTerm());
    }
    if (c.offset() != incoming.written) {
      reply(c, incoming.written); // a duplicate or a gap: say where to resume
      return;
    }
    incoming.sink.stream().write(c.chunk());
    incoming.written += c.chunk().length;
    if (!c.done()) {
      reply(c, incoming.written);
      return;
    }
    SnapshotMeta meta = incoming.sink.commit();
    long started = incoming.startedNanos;
    incoming = null;
    snapshots.restore(meta);
    applier.restored(meta);
    loop.events().publish(new NodeEvent.SnapshotInstalled(self, meta.index(), meta.term(),
        meta.sizeBytes(), java.time.Duration.ofNanos(System.nanoTime() - started)));
    loop.post(() -> loop.stepFromApplyThread(
        new Event.SnapshotInstalled(meta.index(), meta.term(), meta.configuration())));
  }

  private void reply(InstallSnapshotRequest c, long nextOffset) {
    loop.post(() -> loop.send(new InstallSnapshotResponse(
        self, c.from(), loop.term(), c.snapshotIndex(), nextOffset, false, c.round())));
  }
}
