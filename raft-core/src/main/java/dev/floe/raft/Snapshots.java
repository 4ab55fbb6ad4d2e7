package dev.floe.raft;

import dev.floe.raft.core.Event;
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.InstallSnapshotResponse;
import dev.floe.raft.spi.EventLoop;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.SnapshotStore;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.spi.Transport;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's snapshots: taking them on the apply thread (so the consensus loop runs on while the
 * state machine writes), restoring from them, streaming them to followers one chunk at a time, and
 * installing those received from the leader.
 *
 * <p>Snapshot data: magic {@code FLSN}, format version, the client session table, then the state
 * machine's image to the end.
 */
final class Snapshots {
  private static final Logger log = LoggerFactory.getLogger(Snapshots.class);
  private static final int MAGIC = 0x464c534e; // "FLSN"
  private static final int VERSION = 1;

  private final NodeId self;
  private final SnapshotStore store;
  private final SnapshotOptions options;
  private final StateMachine stateMachine;
  private final SessionTable sessions;
  private final EventLoop loop;
  private final Executor applyThread;
  private final Transport transport;
  private final Consumer<Event> step;
  private final LongSupplier currentTerm;
  /** Tells the apply thread that the state now is the snapshot's (entries up to its index). */
  private final Consumer<SnapshotMeta> onInstalled;
  /** The membership as of the last applied entry; read on the apply thread. */
  private final Supplier<Configuration> appliedConfiguration;

  // Apply thread only.
  private long lastSnapshotIndex;
  /** Command bytes applied since the last snapshot; apply thread only. */
  private long bytesSinceSnapshot;
  private Incoming incoming;
  // Event loop only.
  private final TreeMap<NodeId, Outgoing> outgoing = new TreeMap<>();

  Snapshots(NodeId self, SnapshotStore store, SnapshotOptions options, StateMachine stateMachine,
      SessionTable sessions, EventLoop loop, Executor applyThread, Transport transport,
      Consumer<Event> step, LongSupplier currentTerm, Consumer<SnapshotMeta> onInstalled,
      Supplier<Configuration> appliedConfiguration) {
    this.self = self;
    this.store = store;
    this.options = options;
    this.stateMachine = stateMachine;
    this.sessions = sessions;
    this.loop = loop;
    this.applyThread = applyThread;
    this.transport = transport;
    this.step = step;
    this.currentTerm = currentTerm;
    this.onInstalled = onInstalled;
    this.appliedConfiguration = appliedConfiguration;
  }

  /** At start, before the node runs: restores the state machine from the latest snapshot. */
  Optional<SnapshotMeta> restoreLatest() throws IOException {
    Optional<SnapshotMeta> latest = store.open();
    if (latest.isPresent()) {
      restore(latest.get());
    }
    return latest;
  }

  private void restore(SnapshotMeta meta) throws IOException {
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

  // ---------------------------------------------------------------- taking (apply thread)

  /**
   * Takes a snapshot if enough entries or bytes were applied since the last; on the apply thread.
   *
   * @param appliedBytes the command bytes applied since the previous call
   */
  void maybeTake(long appliedIndex, long appliedTerm, long appliedBytes) {
    bytesSinceSnapshot += appliedBytes;
    if (appliedIndex - lastSnapshotIndex >= options.thresholdEntries()
        || bytesSinceSnapshot >= options.thresholdBytes()) {
      try {
        take(appliedIndex, appliedTerm);
      } catch (IOException | RuntimeException e) {
        log.warn("{}: taking a snapshot at {} failed; the log is not compacted", self, appliedIndex, e);
        lastSnapshotIndex = appliedIndex; // retry after another threshold, not at once
        bytesSinceSnapshot = 0;
      }
    }
  }

  /** Writes the state as of {@code index} and publishes it; on the apply thread. */
  SnapshotMeta take(long index, long term) throws IOException {
    SnapshotMeta meta;
    byte[] configuration = appliedConfiguration.get().encode();
    try (SnapshotStore.Sink sink = store.begin(index, term, configuration)) {
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
    log.info("{} took snapshot {}", self, meta);
    loop.execute(() -> step.accept(new Event.SnapshotTaken(index, term, compactUpTo)));
    return meta;
  }

  // ---------------------------------------------------------------- sending (event loop)

  /**
   * Streams the latest snapshot to a follower, or resumes a transfer already under way.
   *
   * @param round the leader's replication session with the follower, carried by every chunk
   */
  void send(NodeId to, long round) {
    Optional<SnapshotMeta> latest = store.latest();
    if (latest.isEmpty()) {
      log.warn("{}: {} needs a snapshot but none is published", self, to);
      return;
    }
    long term = currentTerm.getAsLong();
    Outgoing o = outgoing.get(to);
    if (o == null || !o.meta.equals(latest.get()) || o.term != term || o.round != round) {
      o = new Outgoing(to, term, round, latest.get());
      outgoing.put(to, o);
    }
    o.sendFrom(o.ackedOffset);
  }

  /** A follower answered a chunk: send the next one (stop-and-wait keeps memory bounded). */
  void onResponse(InstallSnapshotResponse r) {
    Outgoing o = outgoing.get(r.from());
    if (o == null || r.snapshotIndex() != o.meta.index() || r.term() != o.term
        || r.round() != o.round) {
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
  void stopSending() {
    outgoing.clear();
  }

  /** Transfers to nodes that left the configuration end. */
  void retainOnly(Set<NodeId> members) {
    outgoing.keySet().retainAll(members);
  }

  private final class Outgoing {
    final NodeId to;
    final long term;
    final long round;
    final SnapshotMeta meta;
    long ackedOffset;

    Outgoing(NodeId to, long term, long round, SnapshotMeta meta) {
      this.to = to;
      this.term = term;
      this.round = round;
      this.meta = meta;
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
          log.warn("{}: reading snapshot {} for {} failed", self, meta, to, e);
          return;
        }
        boolean done = offset + chunk.length >= meta.sizeBytes();
        loop.execute(() -> {
          if (outgoing.get(to) == this) {
            transport.send(new InstallSnapshotRequest(self, to, term, meta.index(), meta.term(),
                meta.configuration(), offset, chunk, done, round));
          }
        });
      });
    }
  }

  // ---------------------------------------------------------------- receiving (apply thread)

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
      incoming = new Incoming(store.begin(c.snapshotIndex(), c.snapshotTerm(), c.configuration()),
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
    incoming = null;
    restore(meta);
    onInstalled.accept(meta);
    loop.execute(() -> step.accept(
        new Event.SnapshotInstalled(meta.index(), meta.term(), meta.configuration())));
  }

  private void reply(InstallSnapshotRequest c, long nextOffset) {
    loop.execute(() -> transport.send(new InstallSnapshotResponse(
        self, c.from(), currentTerm.getAsLong(), c.snapshotIndex(), nextOffset, false,
        c.round())));
  }

  private static final class Incoming {
    final SnapshotStore.Sink sink;
    final long index;
    final long term;
    long written;

    Incoming(SnapshotStore.Sink sink, long index, long term) {
      this.sink = sink;
      this.index = index;
      this.term = term;
    }
  }
}
