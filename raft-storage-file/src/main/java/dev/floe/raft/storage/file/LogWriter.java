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
package dev.floe.raft.storage.file;

import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.MetricsSink;
import dev.floe.raft.spi.TermAndVote;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's sync thread: it carries out the store's writes in the order they were made, and
 * serves {@code sync()} requests with one {@code force} for all of them (group commit, see {@link
 * GroupCommitPolicy}).
 *
 * <p>With a thread of its own, the store's caller may also do that work itself ({@link
 * #syncInline}): it carries out the queued writes and forces them on its own thread, taking the
 * writer's turn, so that a small batch costs no wake-up of the sync thread and none of the caller
 * when it is durable. Either way one thread at a time does the writes, in order.
 *
 * <p>One thread doing every change keeps crash states simple: a write reaches the disk only after
 * every earlier write was handed to the OS, and before a structural change (new segment, suffix
 * truncation, reset, compaction, new meta) everything written earlier is forced. So a crash keeps a
 * prefix of the writes, and the meta file is the commit point of the changes that span files.
 *
 * <p>Every record carries the sync watermark of its segment: the offset through which the segment
 * was forced when the record was written (see {@link UnsyncedTail}). It is known without asking the
 * disk, so it costs no force of its own.
 *
 * <p>It runs either on a thread of its own ({@link #run()}, production: the thread blocks for work
 * and does every write and force itself, with no hand-off on the commit path), or as ordered tasks
 * on an executor given at construction (each {@link #submit} queues one {@link #runQueued()}), so
 * that a simulator can run the real store on virtual time. Both carry out the same steps, but on
 * an executor a group-commit force is a task of its own, queued when the policy asks for it: a
 * force takes time on a real disk, and a crash may come while the written pages are not yet
 * durable.
 *
 * <p>The first I/O error fails every waiting and later {@code sync()} with an {@link IOException}
 * naming it, and the writer then ignores further writes: nothing is reported durable that is not.
 */
final class LogWriter implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(LogWriter.class);

  /** A change or request for the writer, in the order the store received it. */
  sealed interface Op permits Write, Truncate, Compact, Reset, SaveMeta, SaveIdentity, Sync, Close {}

  /**
   * Writes the entries' records ({@code size} bytes, as the store placed them) at {@code offset} of
   * a segment, creating it first if it is new. The records are encoded on the writer's turn, off
   * the caller's.
   */
  record Write(long segment, boolean newSegment, long offset, int size, List<LogEntry> entries)
      implements Op {
    /** Encodes the records into {@code bytes}, which has room for their {@code size} bytes. */
    ByteBuffer encode(long syncedThrough, ByteBuffer bytes) {
      for (LogEntry entry : entries) {
        SegmentFormat.encodeRecord(entry, syncedThrough, bytes);
      }
      return bytes.flip();
    }
  }

  /** Removes entries from {@code fromIndex} on. */
  record Truncate(long fromIndex, LogIndex.Truncation change) implements Op {}

  /** Removes whole segments at the start of the log; the log then starts at {@code firstIndex}. */
  record Compact(long firstIndex, List<Long> removedSegments) implements Op {}

  /** Removes every segment; the log restarts at {@code nextIndex}. */
  record Reset(long nextIndex) implements Op {}

  /** Replaces the term and vote. */
  record SaveMeta(TermAndVote termAndVote) implements Op {}

  /**
   * Records whom the store belongs to and the directory's id (once, before any other write): the
   * first meta file, then the identity file, so that an identity never lacks its meta.
   */
  record SaveIdentity(IdentityFile.Contents contents) implements Op {}

  /** Completes {@code future} once everything before it is durable. */
  record Sync(CompletableFuture<Void> future, long requestedAtNanos) implements Op {}

  /** Forces what is left, completes waiting syncs and ends the thread. */
  record Close() implements Op {}

  private static final int MAX_BATCH_OPS = 4096;
  /** The largest write whose records are encoded into the reused buffer. */
  private static final int MAX_REUSED_BYTES = 1 << 20;

  private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
  /**
   * Held while the writer's state below is used: by its thread for a turn of work, or by the
   * store's caller for {@link #syncInline}.
   */
  private final ReentrantLock turn = new ReentrantLock();
  /** The operations of the turn under way (used on the turn only, then cleared). */
  private final List<Op> batch = new ArrayList<>();
  /** Set when there is work for the writer's thread; cleared by the thread as it takes it. */
  private final AtomicBoolean signalled = new AtomicBoolean();
  /** The writer's thread, once it runs. */
  private volatile Thread owner;
  /** Whether the store's caller forces its writes itself, so the thread sleeps through them. */
  private volatile boolean callerSyncs;
  private final Path dir;
  private final Path logDir;
  private final StorageIo io;
  private final GroupCommitPolicy policy;
  private final LongSupplier nanoClock;
  private final ReadWriteLock lock;
  private final Map<Long, FileChannel> channels;
  private final UnwrittenEntries unwritten;
  private final Runnable onExit;
  /** Runs {@link #runQueued()} once per submitted operation, or null to run on a thread. */
  private final Executor executor;

  private final ArrayDeque<Sync> waiting = new ArrayDeque<>();
  private final Set<FileChannel> dirty = new LinkedHashSet<>();
  private MetaFile.Meta meta; // null until the identity is saved
  private boolean directoryDirty;
  private long unforcedBytes;
  private long unforcedEntries;
  /** The meters forces are recorded in, once bound (see {@link #bindMetrics}). */
  private volatile Meters meters;

  /** What the writer measures: every force of the log's writes. */
  record Meters(MetricsSink.Timer forceLatency, MetricsSink.Distribution entriesPerForce,
      MetricsSink.Distribution bytesPerForce, MetricsSink.Counter forces) {}

  void bindMetrics(Meters meters) {
    this.meters = meters;
  }
  private final SegmentTail tail;
  /**
   * Where the records of a write are encoded, reused from write to write (a fresh array for each
   * was an eighth of the bytes a node allocated per entry, and the channel copied it into a
   * direct buffer of its own anyway). Grows to at most {@link #MAX_REUSED_BYTES}.
   */
  private ByteBuffer encoded = ByteBuffer.allocateDirect(64 << 10);
  private boolean exited;
  /** On an executor: a force is queued and has not run yet. */
  private boolean forceQueued;
  private volatile IOException failure;

  /**
   * Creates the writer.
   *
   * @param lastSegment the last segment recovery found and the offset through which it is forced
   *     (its end), or null if there is none
   * @param meta the meta file's content, or null if the identity is not saved yet
   * @param executor runs the writer as tasks, or null if it gets a thread of its own
   */
  LogWriter(
      Path dir,
      StorageIo io,
      GroupCommitPolicy policy,
      long preallocateBytes,
      LongSupplier nanoClock,
      ReadWriteLock lock,
      Map<Long, FileChannel> channels,
      UnwrittenEntries unwritten,
      Map.Entry<Long, Long> lastSegment,
      MetaFile.Meta meta,
      Executor executor,
      Runnable onExit) {
    this.dir = dir;
    this.logDir = dir.resolve(DataDirectory.LOG_DIR);
    this.io = io;
    this.policy = policy;
    this.tail = new SegmentTail(preallocateBytes, lastSegment);
    this.nanoClock = nanoClock;
    this.lock = lock;
    this.channels = channels;
    this.unwritten = unwritten;
    this.meta = meta;
    this.executor = executor;
    this.onExit = onExit;
  }

  /**
   * Queues an operation; the caller keeps the order of its calls. The writer's thread is woken for
   * it unless the caller makes its own writes durable ({@link #syncInline}) and the operation asks
   * for nothing that must happen without the caller: a sync request or the closing.
   */
  void submit(Op op) {
    queue.add(op);
    if (executor != null) {
      executor.execute(this::runQueued);
    } else if (!callerSyncs || op instanceof Sync || op instanceof Close) {
      wake();
    }
  }

  private void wake() {
    if (!signalled.getAndSet(true)) {
      LockSupport.unpark(owner);
    }
  }

  /** Returns the failure that stopped the writer, or {@code null}. */
  IOException failure() {
    return failure;
  }

  /**
   * The writer's own thread: sleeps until woken for work, then carries out everything queued,
   * and goes on without sleeping while a sync waits for a force the policy put off.
   */
  @Override
  public void run() {
    owner = Thread.currentThread();
    try {
      while (true) {
        while (!signalled.getAndSet(false)) {
          LockSupport.park(this);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
        turn.lock();
        try {
          while (!exited) {
            stepQueued(false);
            if (waiting.isEmpty() && (queue.isEmpty() || callerSyncs)) {
              break; // nothing waits for this thread: sleep until woken
            }
          }
          if (exited) {
            return;
          }
        } finally {
          turn.unlock();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      turn.lock();
      try {
        failWaiting(new IOException("log store sync thread interrupted"));
      } finally {
        turn.unlock();
      }
    } finally {
      turn.lock();
      try {
        exit();
      } finally {
        turn.unlock();
      }
    }
  }

  /** One task on the executor: what one turn of {@link #run()}'s loop does, without blocking. */
  void runQueued() {
    turn.lock();
    try {
      if (exited) {
        return;
      }
      stepQueued(false);
    } finally {
      turn.unlock();
    }
  }

  /**
   * Carries out every queued write and forces it on the calling thread (the store's caller),
   * completing the syncs that wait; from then on the writer's thread is woken only for sync
   * requests and the closing. Waits while the writer's thread is in the middle of a turn. Returns
   * false, having done nothing, when the writer runs on an executor (a simulated disk forces in
   * tasks of its own, on virtual time).
   *
   * @throws IOException if a write or the force failed, now or earlier, or the writer is closed
   */
  boolean syncInline() throws IOException {
    if (executor != null) {
      return false;
    }
    callerSyncs = true;
    turn.lock();
    try {
      while (!exited && failure == null && !queue.isEmpty()) {
        stepQueued(true);
      }
      if (failure == null && !exited) {
        forceAllOrFail();
      }
      if (failure != null) {
        throw new IOException(failure.getMessage(), failure);
      }
      if (exited) {
        throw new IOException("file log store in " + dir + " is closed");
      }
      return true;
    } finally {
      turn.unlock();
    }
  }

  /** Carries out what is queued (up to {@link #MAX_BATCH_OPS}) as one batch. Runs on the turn. */
  private void stepQueued(boolean callerForces) {
    queue.drainTo(batch, MAX_BATCH_OPS);
    try {
      step(batch, callerForces);
    } finally {
      batch.clear(); // nothing of it outlives the turn
    }
  }

  /**
   * Carries out a batch, then forces if the group-commit policy says so (the caller forces itself
   * when {@code callerForces}). Runs on the turn.
   */
  private void step(List<Op> batch, boolean callerForces) {
    for (Op op : batch) {
      if (op instanceof Close) {
        if (failure == null) {
          forceAllOrFail();
        }
        failWaiting(failure != null ? failure : new IOException("log store closed"));
        exit();
        return;
      }
      process(op);
    }
    long oldest = waiting.isEmpty() ? 0 : waiting.peekFirst().requestedAtNanos();
    if (callerForces || failure != null
        || !policy.shouldForce(
            !waiting.isEmpty(), queue.isEmpty(), unforcedBytes, oldest, nanoClock.getAsLong())) {
      return;
    }
    if (executor == null) {
      forceAllOrFail();
    } else if (!forceQueued) {
      forceQueued = true;
      executor.execute(this::runQueuedForce);
    }
  }

  /** The force the policy asked for, as a task of its own on the executor. */
  private void runQueuedForce() {
    turn.lock();
    try {
      forceQueued = false;
      if (!exited && failure == null) {
        forceAllOrFail();
      }
    } finally {
      turn.unlock();
    }
  }

  private void exit() {
    if (!exited) {
      exited = true;
      onExit.run();
    }
  }

  private void process(Op op) {
    if (failure != null) {
      if (op instanceof Sync sync) {
        sync.future().completeExceptionally(failure);
      }
      return;
    }
    try {
      apply(op);
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void apply(Op op) throws IOException {
    if (op instanceof Write write) {
      write(write);
    } else if (op instanceof Sync sync) {
      waiting.addLast(sync);
    } else if (op instanceof SaveMeta save) {
      forceAll();
      writeMeta(meta.withTermAndVote(save.termAndVote()));
    } else if (op instanceof SaveIdentity save) {
      writeMeta(MetaFile.Meta.initial(save.contents().directoryId()));
      IdentityFile.write(io, dir, save.contents());
    } else if (op instanceof Truncate truncate) {
      truncate(truncate);
    } else if (op instanceof Compact compact) {
      compact(compact.firstIndex(), compact.removedSegments());
    } else if (op instanceof Reset reset) {
      reset(reset.nextIndex());
    } else {
      throw new IllegalStateException("unexpected operation " + op);
    }
  }

  private void write(Write write) throws IOException {
    if (write.newSegment()) {
      forceAll(); // a segment is complete on disk before the next one begins
      createSegment(write.segment());
    } else if (write.segment() != tail.segment()) {
      throw new IllegalStateException("write to segment " + write.segment() + ", not the last one, "
          + tail.segment());
    }
    FileChannel channel = channels.get(write.segment());
    ByteBuffer bytes = write.encode(tail.syncedEnd(), bufferFor(write.size()));
    long position = write.offset();
    while (bytes.hasRemaining()) {
      position += channel.write(bytes, position);
    }
    dirty.add(channel);
    unforcedBytes += bytes.limit();
    unforcedEntries += write.entries().size();
    tail.wrote(channel, position);
    lock.writeLock().lock();
    try {
      for (LogEntry entry : write.entries()) {
        unwritten.written(entry); // unless a truncation put a newer entry at its index
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** A buffer of {@code size} bytes for a write's records: the reused one if it fits. */
  private ByteBuffer bufferFor(int size) {
    if (size > encoded.capacity() && size <= MAX_REUSED_BYTES) {
      encoded = ByteBuffer.allocateDirect(Math.min(MAX_REUSED_BYTES, 2 * size));
    }
    return size <= encoded.capacity() ? encoded.clear().limit(size) : ByteBuffer.allocate(size);
  }

  private void createSegment(long firstIndex) throws IOException {
    Path file = logDir.resolve(SegmentFormat.fileName(firstIndex));
    FileChannel channel =
        io.open(
            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    ByteBuffer header = SegmentFormat.encodeHeader(meta.epoch(), firstIndex, meta.directoryId());
    long position = 0;
    while (header.hasRemaining()) {
      position += channel.write(header, position);
    }
    lock.writeLock().lock();
    try {
      channels.put(firstIndex, channel);
    } finally {
      lock.writeLock().unlock();
    }
    dirty.add(channel);
    directoryDirty = true;
    tail.started(firstIndex);
    log.debug("Created segment {}", file);
  }

  /**
   * Meta records the truncation first (the commit point; recovery finishes it), then the files
   * change, then meta forgets it again before any later write can land in the truncated range.
   */
  private void truncate(Truncate truncate) throws IOException {
    forceAll();
    writeMeta(meta.withTruncateFrom(truncate.fromIndex()));
    List<Long> removed = new ArrayList<>(truncate.change().removedSegments());
    for (int i = removed.size() - 1; i >= 0; i--) {
      closeAndDelete(removed.get(i));
    }
    long holder = truncate.change().segmentFirstIndex();
    FileChannel channel = channels.get(holder);
    channel.truncate(truncate.change().offset());
    channel.force(true);
    tail.cut(holder, truncate.change().offset()); // the last segment now
    if (!removed.isEmpty()) {
      io.syncDirectory(logDir);
    }
    writeMeta(meta.withTruncateFrom(0));
  }

  /** The new first index in meta is the commit point: recovery removes older segments. */
  private void compact(long firstIndex, List<Long> removedSegments) throws IOException {
    forceAll();
    writeMeta(meta.withFirstIndex(firstIndex));
    for (long removed : removedSegments) {
      closeAndDelete(removed);
    }
    io.syncDirectory(logDir);
  }

  /** The new epoch in meta is the commit point: recovery drops segments of older epochs. */
  private void reset(long nextIndex) throws IOException {
    forceAll();
    writeMeta(meta.reset(nextIndex));
    for (long removed : new ArrayList<>(channels.keySet())) {
      closeAndDelete(removed);
    }
    tail.removed();
    io.syncDirectory(logDir);
  }

  private void closeAndDelete(long removed) throws IOException {
    FileChannel channel;
    lock.writeLock().lock();
    try {
      channel = channels.remove(removed);
    } finally {
      lock.writeLock().unlock();
    }
    if (channel != null) {
      dirty.remove(channel);
      channel.close();
    }
    io.delete(logDir.resolve(SegmentFormat.fileName(removed)));
  }

  private void writeMeta(MetaFile.Meta next) throws IOException {
    MetaFile.write(io, dir, next);
    meta = next;
  }

  /** Makes every write so far durable and completes the waiting syncs. */
  private void forceAll() throws IOException {
    Meters m = dirty.isEmpty() ? null : meters;
    long start = m == null ? 0 : nanoClock.getAsLong();
    for (FileChannel channel : dirty) {
      channel.force(false);
    }
    if (m != null) {
      m.forceLatency().record(nanoClock.getAsLong() - start);
      m.entriesPerForce().record(unforcedEntries);
      m.bytesPerForce().record(unforcedBytes);
      m.forces().increment(1);
    }
    unforcedEntries = 0;
    dirty.clear();
    tail.forced();
    if (directoryDirty) {
      io.syncDirectory(logDir);
      directoryDirty = false;
    }
    unforcedBytes = 0;
    Sync sync;
    while ((sync = waiting.pollFirst()) != null) {
      sync.future().complete(null);
    }
  }

  private void forceAllOrFail() {
    try {
      forceAll();
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void fail(Exception cause) {
    IOException error =
        new IOException(
            "file log store in " + dir + " failed and accepts no more writes: " + cause, cause);
    failure = error;
    log.error("File log store in {} failed; no further writes are accepted", dir, cause);
    failWaiting(error);
  }

  private void failWaiting(IOException error) {
    Sync sync;
    while ((sync = waiting.pollFirst()) != null) {
      sync.future().completeExceptionally(error);
    }
  }
}
