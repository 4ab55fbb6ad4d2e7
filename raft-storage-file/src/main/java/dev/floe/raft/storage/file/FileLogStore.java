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
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.MetricsSink;
import dev.floe.raft.spi.StoreIdentity;
import dev.floe.raft.spi.TermAndVote;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default durable {@link LogStore}: the log in segment files, term and vote in a small meta
 * file, in one data directory.
 *
 * <h2>Files</h2>
 * <pre>
 * &lt;dir&gt;/LOCK                          locked while a store has the directory open
 * &lt;dir&gt;/identity                      node, cluster, founding members, directory id
 * &lt;dir&gt;/meta                          term, vote, log epoch, directory id (replaced whole)
 * &lt;dir&gt;/log/00000000000000000001.seg  segments, named by their first index (20 digits)
 * </pre>
 * A segment is a 40-byte header (magic {@code "FLOG"}, version, log epoch, first index, directory
 * id, CRC32C) followed by records: {@code int32 payload length, int32 CRC32C, int64 term, int64
 * index, int64 sync watermark, int8 type, payload}. {@code docs/storage-format.md} draws every
 * byte; the offsets are constants in {@code SegmentFormat}, {@code MetaFile} and {@code
 * IdentityFile}.
 *
 * <h2>Identity</h2>
 * A new directory holds nothing, and the store accepts no write before {@link #saveIdentity}: that
 * gives the directory a random id and writes the first meta file, then the identity file, both
 * durably, before any later write. {@link #open()} refuses a directory whose parts contradict each
 * other with an {@link InconsistentStoreException} naming the file: segments or a meta holding a
 * term without an identity, an identity without meta, a meta or segment whose directory id is not
 * the identity's (copied from another node's directory). A file in a format this code does not
 * read is refused with an {@link UnsupportedFormatException} naming its version.
 *
 * <h2>Writes and group commit</h2>
 * Every write method records the change in memory and queues it for the store's sync thread; it
 * never waits for the disk. Reads see the change at once (entries not yet handed to the OS are
 * served from memory). The sync thread hands writes to the OS in order, and serves all {@link
 * #sync()} requests waiting at a time with one {@code force}: as soon as it has no more queued work,
 * or once {@link FileLogStoreOptions#syncBytesThreshold()} bytes are written, or once the oldest
 * request has waited {@link FileLogStoreOptions#maxSyncDelayMicros()}. Futures complete on the sync
 * thread, in the order of the calls. {@link #syncInline()} does the sync thread's work on the
 * caller's thread instead (a node's loop, for small batches): the writes queued so far go to the
 * OS and are forced there, with no thread woken to do it.
 *
 * <h2>Crash safety</h2>
 * A crash may keep any part of the writes since the last completed sync, down to single sectors of
 * them, in any combination. Every record carries the offset through which its segment was forced
 * when it was written, so recovery in {@link #open()} tells an unsynced tail of the last segment,
 * which it cuts (logged at WARN with file and offset), from damage to synced records, which it
 * reports as a {@link CorruptLogException} naming the file and byte offset (see {@code
 * UnsyncedTail} for what can and cannot be told). Changes spanning files commit through the meta
 * file: a suffix truncation is recorded there first and finished by recovery if interrupted; a
 * reset starts a new log epoch there, and segments of older epochs are left-overs; compaction
 * records the new first index there before it removes whole segments. After a crash at any step
 * the store reopens in the state before or after the change.
 *
 * <h2>Failures</h2>
 * The first I/O error (a full disk, a read-only file system) fails the waiting {@code sync()}
 * futures; from then on every write and sync fails with an {@link IOException} naming that cause.
 *
 * <h2>Threading</h2>
 * As {@link LogStore} requires, writes come from one thread at a time. Reads ({@link #entries},
 * {@link #term}, {@link #firstIndex}, {@link #lastIndex}) may also run on other threads, concurrently
 * with writes. {@link #close()} may be called from any thread. (Inside this package the sync
 * thread can be replaced by an executor that runs its work as ordered tasks, for simulation; then
 * {@code close()} only queues the closing, which the executor carries out.)
 */
public final class FileLogStore implements LogStore {
  static final String LOCK_FILE = DataDirectory.LOCK_FILE;
  static final String LOG_DIR = DataDirectory.LOG_DIR;
  private static final Logger log = LoggerFactory.getLogger(FileLogStore.class);

  private final Path dir;
  private final FileLogStoreOptions options;
  private final StoreEnvironment env;
  private final StorageIo io;
  private final DataDirectory directory;

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  // Guarded by lock: the layout of the log, the open segments, entries not yet handed to the OS.
  private final Map<Long, FileChannel> channels = new HashMap<>();
  private final UnwrittenEntries unwritten = new UnwrittenEntries();
  private LogIndex index;
  private boolean opened;
  private boolean closed;

  private volatile TermAndVote termAndVote = TermAndVote.INITIAL;
  private volatile StoreIdentity identity;
  private LogWriter writer;
  /** Meters bound before the writer existed, handed to it when it starts. */
  private volatile LogWriter.Meters boundMeters;
  private Thread writerThread; // null when the writer runs on env's executor
  private Closeable directoryLock;

  /**
   * Creates a store over {@code dir} with {@link FileLogStoreOptions#DEFAULTS}. Nothing is read or
   * created before {@link #open()}.
   *
   * @param dir the data directory; created if missing
   */
  public FileLogStore(Path dir) {
    this(dir, FileLogStoreOptions.DEFAULTS);
  }

  /**
   * Creates a store over {@code dir}. Nothing is read or created before {@link #open()}.
   *
   * @param dir the data directory; created if missing
   * @param options segment size and group-commit settings
   */
  public FileLogStore(Path dir, FileLogStoreOptions options) {
    this(dir, options, StoreEnvironment.real());
  }

  FileLogStore(Path dir, FileLogStoreOptions options, StorageIo io) {
    this(dir, options, StoreEnvironment.real(io));
  }

  FileLogStore(Path dir, FileLogStoreOptions options, StoreEnvironment env) {
    this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath();
    this.options = Objects.requireNonNull(options, "options");
    this.env = Objects.requireNonNull(env, "env");
    this.io = env.io();
    this.directory = new DataDirectory(this.dir, io);
  }

  /**
   * Locks the directory, checks that its files agree, reads meta and recovers the segments, and
   * starts the sync thread.
   *
   * @throws IOException if another store has the directory open (the message names it), or if the
   *     files cannot be read
   * @throws CorruptLogException if they hold damaged data
   * @throws InconsistentStoreException if they contradict each other (a file missing, or one of
   *     another directory)
   * @throws UnsupportedFormatException if a file is in a format this code does not read
   */
  @Override
  public void open() throws IOException {
    lock.writeLock().lock();
    try {
      if (opened) {
        throw new IllegalStateException("FileLogStore for " + dir + " is already open");
      }
      directory.create();
      directoryLock = directory.lock();
      try {
        recover();
      } catch (IOException | RuntimeException e) {
        closeFiles();
        throw e;
      }
      opened = true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void recover() throws IOException {
    DataDirectory.State state = directory.inspect();
    MetaFile.Meta meta = null;
    Map.Entry<Long, Long> lastSegment = null;
    if (state.isNew()) {
      index = new LogIndex(1);
    } else {
      identity = state.identity().get().identity();
      meta = state.meta().get();
      LogRecovery.Result recovered = LogRecovery.recover(directory.logDir(), io, meta);
      channels.putAll(recovered.channels());
      index = recovered.index();
      lastSegment = recovered.lastSegment();
      if (meta.truncateFrom() != 0) {
        meta = meta.withTruncateFrom(0);
        MetaFile.write(io, dir, meta);
      }
      termAndVote = meta.termAndVote();
    }
    writer = new LogWriter(dir, io,
        new GroupCommitPolicy(options.syncBytesThreshold(),
            TimeUnit.MICROSECONDS.toNanos(options.maxSyncDelayMicros())),
        options.preallocateBytes(), env.nanoClock(), lock, channels, unwritten, lastSegment, meta,
        env.writerExecutor(), this::closeFiles);
    if (boundMeters != null) {
      writer.bindMetrics(boundMeters);
    }
    if (env.writerExecutor() == null) {
      writerThread = new Thread(writer, "floe-log-sync-" + dir.getFileName());
      writerThread.setDaemon(true);
      writerThread.start();
    }
    log.info("Opened log store {}: {}, entries {}..{}, term {}", dir,
        identity == null ? "new" : identity.nodeId() + " of cluster " + identity.clusterId(),
        index.firstIndex(), index.lastIndex(), termAndVote.term());
  }

  /** Closes segments and releases the directory lock; run by the sync thread as it ends. */
  private void closeFiles() {
    lock.writeLock().lock();
    try {
      for (FileChannel channel : channels.values()) {
        closeQuietly(channel);
      }
      channels.clear();
      if (directoryLock != null) {
        closeQuietly(directoryLock); // releases the lock
        directoryLock = null;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      log.warn("Could not close {}", closeable, e);
    }
  }

  @Override
  public Optional<StoreIdentity> identity() {
    return Optional.ofNullable(identity);
  }

  @Override
  public void saveIdentity(StoreIdentity value) throws IOException {
    Objects.requireNonNull(value, "identity");
    lock.writeLock().lock();
    try {
      checkWritable();
      if (identity != null) {
        throw new IllegalStateException(dir + " already belongs to " + identity.nodeId()
            + " of cluster " + identity.clusterId());
      }
      identity = value;
      writer.submit(new LogWriter.SaveIdentity(
          new IdentityFile.Contents(value, env.directoryIds().getAsLong())));
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public TermAndVote termAndVote() {
    return termAndVote;
  }

  @Override
  public long firstIndex() {
    lock.readLock().lock();
    try {
      return openIndex().firstIndex();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long lastIndex() {
    lock.readLock().lock();
    try {
      return openIndex().lastIndex();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long term(long index) {
    lock.readLock().lock();
    try {
      return openIndex().term(index);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes) {
    lock.readLock().lock();
    try {
      LogIndex layout = openIndex();
      if (fromIndex < layout.firstIndex()
          || toIndexExclusive > layout.lastIndex() + 1
          || fromIndex > toIndexExclusive) {
        throw new IndexOutOfBoundsException(
            "range " + fromIndex + ".." + toIndexExclusive + " is not within the log "
                + layout.firstIndex() + ".." + (layout.lastIndex() + 1));
      }
      long end = fromIndex;
      long bytes = 0;
      while (end < toIndexExclusive) {
        long size = layout.recordSize(end) - SegmentFormat.RECORD_OVERHEAD + 24L;
        if (end > fromIndex && bytes + size > maxBytes) {
          break;
        }
        bytes += size;
        end++;
      }
      return read(layout, fromIndex, end);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Reads {@code from..to-1}, one file read per run of written entries in one segment. */
  private List<LogEntry> read(LogIndex layout, long from, long to) {
    List<LogEntry> result = new ArrayList<>((int) (to - from));
    long next = from;
    while (next < to) {
      LogEntry buffered = unwritten.get(next);
      if (buffered != null) {
        result.add(buffered);
        next++;
        continue;
      }
      long segment = layout.segmentOf(next);
      long runEnd = next + 1;
      while (runEnd < to && !unwritten.contains(runEnd) && layout.segmentOf(runEnd) == segment) {
        runEnd++;
      }
      long offset = layout.offset(next);
      long length = layout.offset(runEnd - 1) + layout.recordSize(runEnd - 1) - offset;
      readRun(segment, offset, (int) length, next, runEnd, result);
      next = runEnd;
    }
    return result;
  }

  private void readRun(long segment, long offset, int length, long from, long to, List<LogEntry> out) {
    Path file = dir.resolve(LOG_DIR).resolve(SegmentFormat.fileName(segment));
    try {
      FileChannel channel = channels.get(segment);
      if (channel == null) {
        throw new IOException("segment " + file + " is not open");
      }
      ByteBuffer buffer = ByteBuffer.allocate(length);
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, offset + buffer.position()) < 0) {
          throw new CorruptLogException(file, offset + buffer.position(), "unexpected end of file");
        }
      }
      buffer.flip();
      int position = 0;
      for (long index = from; index < to; index++) {
        int size = SegmentFormat.checkRecord(buffer, position);
        if (size < 0 || SegmentFormat.recordIndex(buffer, position) != index) {
          throw new CorruptLogException(
              file, offset + position, "record of index " + index + " does not check out");
        }
        out.add(SegmentFormat.decodeRecord(buffer, position));
        position += size;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read entries from " + file, e);
    }
  }

  @Override
  public void append(List<LogEntry> entries) throws IOException {
    if (entries.isEmpty()) {
      return;
    }
    lock.writeLock().lock();
    try {
      checkIdentified();
      long next = index.lastIndex() + 1;
      for (int i = 0; i < entries.size(); i++) {
        if (entries.get(i).index() != next + i) {
          throw new IllegalArgumentException(
              "entry " + entries.get(i) + " does not follow the log, expected index " + (next + i));
        }
      }
      // One write per run of entries that go to the same segment.
      int runStart = 0;
      long runSegment = 0;
      long runOffset = 0;
      long runEnd = 0;
      boolean runStartsSegment = false;
      for (int i = 0; i < entries.size(); i++) {
        LogEntry entry = entries.get(i);
        int size = SegmentFormat.recordSize(entry);
        long offset = index.append(entry.term(), size, options.segmentSizeBytes());
        unwritten.add(entry);
        if (i > 0 && index.appendStartedSegment()) {
          submitRun(entries.subList(runStart, i), runSegment, runStartsSegment, runOffset, runEnd);
        }
        if (i == 0 || index.appendStartedSegment()) {
          runStart = i;
          runSegment = index.lastSegment();
          runOffset = offset;
          runStartsSegment = index.appendStartedSegment();
        }
        runEnd = offset + size;
      }
      submitRun(entries.subList(runStart, entries.size()), runSegment, runStartsSegment, runOffset,
          runEnd);
    } finally {
      lock.writeLock().unlock();
    }
  }


  /**
   * Hands the writer the records of {@code run}, which fill {@code offset..end} of a segment. The
   * list is the caller's to give away ({@link LogStore#append}), so it is not copied.
   */
  private void submitRun(List<LogEntry> run, long segment, boolean startsSegment, long offset,
      long end) {
    writer.submit(new LogWriter.Write(segment, startsSegment, offset, (int) (end - offset), run));
  }

  @Override
  public void truncateSuffix(long fromIndex) throws IOException {
    lock.writeLock().lock();
    try {
      checkIdentified();
      if (fromIndex < index.firstIndex() || fromIndex > index.lastIndex() + 1) {
        throw new IllegalArgumentException(
            "cannot truncate from " + fromIndex + ": the log holds " + index.firstIndex() + ".."
                + index.lastIndex());
      }
      if (fromIndex == index.lastIndex() + 1) {
        return;
      }
      LogIndex.Truncation change = index.truncateFrom(fromIndex);
      unwritten.removeFrom(fromIndex);
      writer.submit(new LogWriter.Truncate(fromIndex, change));
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void compactPrefix(long upToIndex) throws IOException {
    lock.writeLock().lock();
    try {
      checkIdentified();
      List<Long> removed = index.compactUpTo(upToIndex);
      if (!removed.isEmpty()) {
        long first = index.firstIndex();
        unwritten.removeBefore(first);
        writer.submit(new LogWriter.Compact(first, removed));
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void reset(long nextIndex) throws IOException {
    if (nextIndex < 1) {
      throw new IllegalArgumentException("nextIndex must be >= 1: " + nextIndex);
    }
    lock.writeLock().lock();
    try {
      checkIdentified();
      index.reset(nextIndex);
      unwritten.clear();
      writer.submit(new LogWriter.Reset(nextIndex));
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void saveTermAndVote(TermAndVote value) throws IOException {
    Objects.requireNonNull(value, "termAndVote");
    lock.writeLock().lock();
    try {
      checkIdentified();
      termAndVote = value;
      writer.submit(new LogWriter.SaveMeta(value));
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Reports every force of the log: its latency ({@code floe.log.force.latency}), the entries and
   * bytes it made durable ({@code floe.log.force.entries}, {@code floe.log.force.bytes}) and how
   * many there were ({@code floe.log.forces}). Group commit shows as entries per force above one.
   */
  @Override
  public void bindMetrics(MetricsSink metrics, Map<String, String> tags) {
    LogWriter.Meters meters = new LogWriter.Meters(
        metrics.timer("floe.log.force.latency", "one force of the log's writes to the disk", tags),
        metrics.distribution("floe.log.force.entries", "entries made durable by one force",
            "entries", tags),
        metrics.distribution("floe.log.force.bytes", "bytes made durable by one force", "bytes",
            tags),
        metrics.counter("floe.log.forces", "forces of the log's writes", tags));
    boundMeters = meters;
    if (writer != null) {
      writer.bindMetrics(meters);
    }
  }

  @Override
  public CompletableFuture<Void> sync() {
    lock.writeLock().lock();
    try {
      checkWritable();
      CompletableFuture<Void> future = new CompletableFuture<>();
      writer.submit(new LogWriter.Sync(future, env.nanoClock().getAsLong()));
      return future;
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Hands every queued write to the OS and forces it on the calling thread, with no hand-off to
   * the sync thread; waits if the sync thread is forcing at that moment. Once called, the sync
   * thread is woken only by {@link #sync()} and {@link #close()}: writes wait in memory (and are
   * read from there) for the caller's next sync, in either form.
   *
   * @return true (false only for a store run on a simulation's executor)
   * @throws IOException if a write or the force fails, or failed before, or the store is closed
   */
  @Override
  public boolean syncInline() throws IOException {
    lock.readLock().lock();
    try {
      checkWritable();
    } finally {
      lock.readLock().unlock();
    }
    return writer.syncInline();
  }

  /**
   * Hands every queued write to the OS, forces it, completes the waiting syncs, closes the files
   * and releases the directory. Idempotent; callable from any thread, including a sync callback.
   * (When the writer runs on an executor, this only queues that work.)
   */
  @Override
  public void close() throws IOException {
    Thread thread;
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (!opened) {
        return;
      }
      writer.submit(new LogWriter.Close());
      thread = writerThread;
    } finally {
      lock.writeLock().unlock();
    }
    if (thread != null && Thread.currentThread() != thread) {
      boolean interrupted = false;
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    log.info("Closed log store {}", dir);
  }

  private LogIndex openIndex() {
    if (!opened) {
      throw new IllegalStateException("FileLogStore for " + dir + " is not open");
    }
    return index;
  }

  /** Writes other than the identity come after it: a directory with data has an identity. */
  private void checkIdentified() throws IOException {
    checkWritable();
    if (identity == null) {
      throw new IllegalStateException("FileLogStore for " + dir + " has no identity yet:"
          + " saveIdentity must be its first write");
    }
  }

  private void checkWritable() throws IOException {
    openIndex();
    if (closed) {
      throw new IOException("FileLogStore for " + dir + " is closed");
    }
    IOException failure = writer.failure();
    if (failure != null) {
      throw new IOException(failure.getMessage(), failure);
    }
  }

  @Override
  public String toString() {
    return "FileLogStore[" + dir + "]";
  }
}
