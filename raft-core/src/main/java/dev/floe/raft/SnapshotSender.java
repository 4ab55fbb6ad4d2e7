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
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.InstallSnapshotResponse;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.SnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader's snapshot transfers to followers behind its log's base, owned by the event loop: one
 * chunk at a time (stop-and-wait keeps memory bounded), resumed from the last acknowledged offset.
 * Chunks are read from the store on the apply thread, since reading may block.
 */
final class SnapshotSender {
  private static final Logger log = LoggerFactory.getLogger(SnapshotSender.class);

  private final NodeId self;
  private final SnapshotStore store;
  private final SnapshotOptions options;
  private final Executor applyThread;
  private NodeLoop loop;
  /** The transfer under way to each follower. Event loop only. */
  private final TreeMap<NodeId, Outgoing> outgoing = new TreeMap<>();

  SnapshotSender(NodeId self, SnapshotTaker snapshots, Executor applyThread) {
    this.self = self;
    this.store = snapshots.store();
    this.options = snapshots.options();
    this.applyThread = applyThread;
  }

  void attach(NodeLoop loop) {
    this.loop = loop;
  }

  /**
   * Streams the latest snapshot to a follower, or resumes a transfer already under way.
   *
   * @param session the leader's replication session with the follower, carried by every chunk
   */
  void send(NodeId to, long session, long term) {
    Optional<SnapshotMeta> latest = store.latest();
    if (latest.isEmpty()) {
      log.warn("{}: {} needs a snapshot but none is published", self, to);
      return;
    }
    Outgoing o = outgoing.get(to);
    if (o == null || !o.meta.equals(latest.get()) || o.term != term || o.session != session) {
      o = new Outgoing(to, term, session, latest.get());
      outgoing.put(to, o);
    }
    o.sendFrom(o.ackedOffset);
  }

  /** A follower answered a chunk: send the next one. */
  void onResponse(InstallSnapshotResponse r) {
    Outgoing o = outgoing.get(r.from());
    if (o == null || r.snapshotIndex() != o.meta.index() || r.term() != o.term
        || r.round() != o.session) {
      return;
    }
    if (r.done()) {
      outgoing.remove(r.from());
      return;
    }
    // Only progress moves the transfer on; a duplicated or stale answer must not resend a chunk
    // (each resend would draw another answer). A follower that lost its partial copy asks for 0.
    boolean progress = r.nextOffset() > o.ackedOffset;
    boolean restart = r.nextOffset() == 0 && o.ackedOffset > 0;
    if ((progress || restart) && r.nextOffset() < o.meta.sizeBytes()) {
      o.ackedOffset = r.nextOffset();
      o.sendFrom(r.nextOffset());
    }
  }

  /** The transfers of a leader end when it steps down. */
  void stopAll() {
    outgoing.clear();
  }

  /** Transfers to nodes that left the configuration end. */
  void retainOnly(Set<NodeId> members) {
    outgoing.keySet().retainAll(members);
  }

  private final class Outgoing {
    final NodeId to;
    final long term;
    final long session;
    final SnapshotMeta meta;
    long ackedOffset;

    Outgoing(NodeId to, long term, long session, SnapshotMeta meta) {
      this.to = to;
      this.term = term;
      this.session = session;
      this.meta = meta;
    }

    /**
     * Reading a chunk failed. A newer snapshot replacing this one while it was sent is normal
     * (the store keeps only the latest): the transfer starts over with the newer one at once.
     * Anything else is logged; the leader's next attempt to replicate starts a new transfer.
     */
    private void readFailed(IOException e) {
      if (outgoing.get(to) != this) {
        return;
      }
      outgoing.remove(to);
      Optional<SnapshotMeta> latest = store.latest();
      if (latest.isPresent() && !latest.get().equals(meta)) {
        log.debug("{}: snapshot {} for {} was replaced by {}; sending that one", self, meta, to,
            latest.get());
        send(to, session, term);
      } else {
        log.warn("{}: reading snapshot {} for {} failed", self, meta, to, e);
      }
    }

    void sendFrom(long offset) {
      applyThread.execute(() -> {
        byte[] chunk;
        try (InputStream in = store.open(meta, offset)) {
          // One buffer of the chunk's size, filled in place (readNBytes(int) would gather 8 KiB
          // pieces and copy them again).
          byte[] buffer = new byte[(int) Math.min(options.chunkBytes(), meta.sizeBytes() - offset)];
          int read = in.readNBytes(buffer, 0, buffer.length);
          chunk = read == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, read);
        } catch (IOException e) {
          loop.post(() -> readFailed(e));
          return;
        }
        boolean done = offset + chunk.length >= meta.sizeBytes();
        loop.post(() -> {
          if (outgoing.get(to) == this) {
            loop.send(new InstallSnapshotRequest(self, to, term, meta.index(), meta.term(),
                meta.configuration(), offset, chunk, done, session));
          }
        });
      });
    }
  }
}
