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

import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.SnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default durable {@link SnapshotStore}: each snapshot is a directory holding its {@code data}
 * and a small {@code meta} file; only the latest published snapshot is kept.
 *
 * <h2>Files</h2>
 * <pre>
 * &lt;dir&gt;/00000000000000000120-00000000000000000003/   index 120, term 3
 *   data     the bytes written to the sink
 *   meta     index, term, configuration, data size, CRC32C of data, CRC32C of meta
 * &lt;dir&gt;/tmp-...                                a snapshot being written
 * </pre>
 * Names are zero-padded to 20 digits so that {@code ls} sorts them. {@code docs/storage-format.md}
 * draws the meta file; the offsets are constants in {@code SnapshotFormat}.
 *
 * <h2>Publishing</h2>
 * {@link #begin} creates a {@code tmp-} directory. {@link Sink#commit} forces {@code data} and
 * {@code meta} and the temporary directory, renames it to its final name with {@code ATOMIC_MOVE}
 * (there is no fallback to a plain rename) and forces {@code dir}: that rename is the commit
 * point. It then removes older snapshots and forces {@code dir} again. A crash before the commit
 * point leaves the previous snapshot as the latest, and a {@code tmp-} directory that {@link
 * #open()} removes; a crash after it leaves the new snapshot, and perhaps older ones that {@link
 * #open()} removes. A published directory therefore always has a valid meta file: if the newest
 * does not, that is corruption, and {@link #open()} fails naming the file rather than fall back to
 * an older snapshot.
 *
 * <p>Snapshots only grow. A commit whose index is below the latest's publishes nothing, since the
 * newer snapshot covers it; it returns the new snapshot's metadata, which {@link
 * #open(SnapshotMeta, long)} then reports as no longer kept. A commit with the latest's index and
 * term keeps the published one (Raft makes them the same state) and returns its metadata.
 *
 * <h2>Reading</h2>
 * {@link #open(SnapshotMeta, long)} streams the data from an offset, holding only the caller's
 * buffer in memory. A stream that starts at 0 checks the data's CRC32C when it reaches the end and
 * fails that read with an {@link IOException} naming the file on a mismatch. The meta file is
 * checked at {@link #open()}; the data, which may be large, only when read.
 *
 * <h2>Threading</h2>
 * Every method may be called from any thread; a sink and its stream by one thread at a time.
 * Commits are serialized. A stream opened before a newer snapshot is published keeps reading the
 * old one to its end (its file stays readable while open, on POSIX file systems). {@link #close()}
 * aborts the sinks still open. The store takes no lock on {@code dir}: the node's log store locks
 * the data directory that holds it.
 */
public final class FileSnapshotStore implements SnapshotStore {
  private static final Logger log = LoggerFactory.getLogger(FileSnapshotStore.class);
  /** Orders {@code {index, term}} keys of snapshot directory names. */
  private static final Comparator<long[]> KEY_ORDER =
      Comparator.<long[]>comparingLong(k -> k[0]).thenComparingLong(k -> k[1]);

  private final Path dir;
  private final StorageIo io;

  private final Object lock = new Object();
  // Guarded by lock.
  private final Set<FileSink> openSinks = new HashSet<>();
  private SnapshotFormat.Meta published; // the latest, or null
  private long tempCounter;
  private boolean opened;
  private boolean closed;

  private volatile Optional<SnapshotMeta> latest = Optional.empty();

  /**
   * Creates a store over {@code dir}. Nothing is read or created before {@link #open()}.
   *
   * @param dir the snapshot directory, {@code <data-dir>/snapshots}; created if missing
   */
  public FileSnapshotStore(Path dir) {
    this(dir, StorageIo.REAL);
  }

  FileSnapshotStore(Path dir, StorageIo io) {
    this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath();
    this.io = Objects.requireNonNull(io, "io");
  }

  /**
   * Creates the directory if needed, removes the {@code tmp-} leftovers of snapshots never
   * committed and snapshots older than the latest, and returns the latest.
   *
   * @throws IOException if the directory cannot be read, or the latest snapshot's meta file is
   *     corrupt, or its data file is missing or of the wrong size (the message names the file)
   * @throws IllegalStateException if called twice or after {@link #close()}
   */
  @Override
  public Optional<SnapshotMeta> open() throws IOException {
    synchronized (lock) {
      if (opened || closed) {
        throw new IllegalStateException("FileSnapshotStore for " + dir + " is already open");
      }
      createDirectory();
      List<Path> snapshotDirs = new ArrayList<>();
      for (Path child : list(dir)) {
        String name = child.getFileName().toString();
        if (name.startsWith(SnapshotFormat.TEMP_PREFIX)) {
          log.info("Removing snapshot {}, never committed", child);
          deleteTree(child);
        } else if (SnapshotFormat.parseDirectoryName(name) != null) {
          snapshotDirs.add(child);
        }
      }
      snapshotDirs.sort(Comparator.comparing(FileSnapshotStore::key, KEY_ORDER));
      if (!snapshotDirs.isEmpty()) {
        Path newest = snapshotDirs.get(snapshotDirs.size() - 1);
        long[] key = key(newest);
        published = SnapshotFormat.readMeta(io, newest, key[0], key[1]);
        latest = Optional.of(published.snapshot());
        for (Path older : snapshotDirs.subList(0, snapshotDirs.size() - 1)) {
          log.info("Removing snapshot {}, superseded by {}", older, newest);
          deleteTree(older);
        }
      }
      io.syncDirectory(dir);
      opened = true;
      log.info("Opened snapshot store {}: latest {}", dir, latest.isPresent() ? latest.get() : "-");
      return latest;
    }
  }

  @Override
  public Optional<SnapshotMeta> latest() {
    return latest;
  }

  /**
   * Creates a {@code tmp-} directory with an empty data file for the snapshot.
   *
   * @throws IOException if they cannot be created
   * @throws IllegalArgumentException if {@code index} or {@code term} is below 1, or the
   *     configuration is larger than 16 MiB
   * @throws IllegalStateException before {@link #open()} or after {@link #close()}
   */
  @Override
  public Sink begin(long index, long term, byte[] configuration) throws IOException {
    SnapshotMeta planned = new SnapshotMeta(index, term, configuration.clone(), 0);
    if (configuration.length > SnapshotFormat.MAX_CONFIGURATION_BYTES) {
      throw new IllegalArgumentException(
          "snapshot configuration of " + configuration.length + " bytes exceeds "
              + SnapshotFormat.MAX_CONFIGURATION_BYTES);
    }
    synchronized (lock) {
      checkOpen();
      Path temp = newTempDirectory(index, term);
      FileChannel data;
      try {
        data =
            io.open(
                temp.resolve(SnapshotFormat.DATA_FILE),
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
      } catch (IOException | RuntimeException e) {
        deleteQuietly(temp);
        throw e;
      }
      FileSink sink = new FileSink(planned, temp, data);
      openSinks.add(sink);
      return sink;
    }
  }

  /**
   * Streams the data of {@code snapshot} from {@code offset}.
   *
   * @throws IOException if it is no longer kept (a newer snapshot replaced it), or cannot be read
   * @throws IllegalArgumentException if {@code offset} is negative or beyond the data's size, or
   *     {@code snapshot} has the index and term of the kept one but not its size or configuration
   * @throws IllegalStateException before {@link #open()} or after {@link #close()}
   */
  @Override
  public InputStream open(SnapshotMeta snapshot, long offset) throws IOException {
    if (offset < 0 || offset > snapshot.sizeBytes()) {
      throw new IllegalArgumentException(
          "offset " + offset + " is outside snapshot " + snapshot + " of " + snapshot.sizeBytes()
              + " bytes");
    }
    synchronized (lock) {
      checkOpen();
      SnapshotMeta kept = published == null ? null : published.snapshot();
      if (kept == null || kept.index() != snapshot.index() || kept.term() != snapshot.term()) {
        throw new IOException(
            "snapshot " + snapshot + " is no longer kept in " + dir + "; the latest is "
                + (kept == null ? "none" : kept));
      }
      if (!kept.equals(snapshot)) {
        throw new IllegalArgumentException(
            "snapshot " + snapshot + " does not match the one kept: " + kept);
      }
      // Opened under the lock, so a commit cannot remove the file between the check and here.
      Path data = directory(kept).resolve(SnapshotFormat.DATA_FILE);
      FileChannel channel = io.open(data, StandardOpenOption.READ);
      return new SnapshotDataStream(channel, data, offset, kept.sizeBytes(), published.dataCrc());
    }
  }

  /** Aborts the sinks still open. Streams already opened stay readable. Idempotent. */
  @Override
  public void close() {
    List<FileSink> sinks;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      sinks = new ArrayList<>(openSinks);
    }
    for (FileSink sink : sinks) {
      sink.abort();
    }
  }

  private void checkOpen() {
    if (!opened || closed) {
      throw new IllegalStateException(
          "FileSnapshotStore for " + dir + " is " + (closed ? "closed" : "not open"));
    }
  }

  private void createDirectory() throws IOException {
    if (!io.isDirectory(dir)) {
      io.createDirectoriesDurably(dir);
    }
  }

  /**
   * Creates {@code tmp-<index>-<term>-<n>} with the first free {@code n}: names that do not depend
   * on chance, so that a simulated run replays exactly. Not made durable: open() removes it anyway.
   */
  private Path newTempDirectory(long index, long term) throws IOException {
    Path temp;
    do {
      temp = dir.resolve(SnapshotFormat.TEMP_PREFIX + index + "-" + term + "-" + ++tempCounter);
    } while (io.exists(temp));
    io.createDirectories(temp);
    return temp;
  }

  private Path directory(SnapshotMeta snapshot) {
    return dir.resolve(SnapshotFormat.directoryName(snapshot.index(), snapshot.term()));
  }

  /**
   * Publishes a forced and complete temporary directory: the second half of {@link Sink#commit}.
   * Returns the metadata of the latest snapshot that covers {@code candidate}'s index.
   */
  private SnapshotMeta publish(Path temp, SnapshotFormat.Meta candidate) throws IOException {
    SnapshotMeta snapshot = candidate.snapshot();
    synchronized (lock) {
      if (closed) {
        throw new IOException(
            "snapshot store " + dir + " was closed; " + snapshot + " is not published");
      }
      SnapshotMeta kept = published == null ? null : published.snapshot();
      if (kept != null && compare(kept, snapshot) >= 0) {
        log.info("Discarding snapshot {}: {} is already published", snapshot, kept);
        deleteQuietly(temp);
        return kept.index() == snapshot.index() && kept.term() == snapshot.term() ? kept : snapshot;
      }
      Path target = directory(snapshot);
      io.moveAtomically(temp, target);
      try {
        io.syncDirectory(dir);
      } catch (IOException e) {
        unpublish(target, temp, e);
        throw e;
      }
      published = candidate;
      latest = Optional.of(snapshot);
      log.info("Published snapshot {} in {}", snapshot, target);
      removeOlderThan(snapshot);
      return snapshot;
    }
  }

  /** The rename may or may not be durable; undo it as far as possible so none is published. */
  private void unpublish(Path target, Path temp, IOException cause) {
    try {
      io.moveAtomically(target, temp);
      deleteTree(temp);
      io.syncDirectory(dir);
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  /** Removes older snapshots after a publish; a failure leaves them for the next open(). */
  private void removeOlderThan(SnapshotMeta snapshot) {
    try {
      boolean removed = false;
      for (Path child : list(dir)) {
        long[] key = SnapshotFormat.parseDirectoryName(child.getFileName().toString());
        if (key != null && (key[0] < snapshot.index()
            || (key[0] == snapshot.index() && key[1] < snapshot.term()))) {
          deleteTree(child);
          removed = true;
        }
      }
      if (removed) {
        io.syncDirectory(dir);
      }
    } catch (IOException e) {
      log.warn("Could not remove snapshots older than {} from {}; open() will", snapshot, dir, e);
    }
  }

  private static int compare(SnapshotMeta a, SnapshotMeta b) {
    int byIndex = Long.compare(a.index(), b.index());
    return byIndex != 0 ? byIndex : Long.compare(a.term(), b.term());
  }

  private static long[] key(Path snapshotDir) {
    return SnapshotFormat.parseDirectoryName(snapshotDir.getFileName().toString());
  }

  private List<Path> list(Path directory) throws IOException {
    return io.list(directory);
  }

  /** Removes a snapshot directory and what it holds (not durable until the parent is forced). */
  private void deleteTree(Path root) throws IOException {
    if (!io.exists(root)) {
      return;
    }
    if (io.isDirectory(root)) {
      for (Path child : io.list(root)) {
        deleteTree(child);
      }
    }
    try {
      io.delete(root);
    } catch (NoSuchFileException e) {
      // already gone
    }
  }

  private void deleteQuietly(Path root) {
    try {
      deleteTree(root);
    } catch (IOException e) {
      log.warn("Could not remove {}; the next open() will", root, e);
    }
  }

  /** A snapshot being written into its {@code tmp-} directory. */
  private final class FileSink implements Sink {
    private final SnapshotMeta planned;
    private final Path temp;
    private final FileChannel data;
    private final SnapshotDataWriter writer;
    private boolean finished; // guarded by this

    FileSink(SnapshotMeta planned, Path temp, FileChannel data) {
      this.planned = planned;
      this.temp = temp;
      this.data = data;
      this.writer = new SnapshotDataWriter(data);
    }

    @Override
    public OutputStream stream() {
      return writer;
    }

    @Override
    public synchronized SnapshotMeta commit() throws IOException {
      if (finished) {
        throw new IllegalStateException("snapshot sink " + temp + " is already finished");
      }
      finished = true;
      try {
        writer.finish("committed");
        data.force(true);
        if (data.size() != writer.sizeBytes()) {
          throw new IOException(
              "snapshot data file " + temp.resolve(SnapshotFormat.DATA_FILE) + " has "
                  + data.size() + " bytes, " + writer.sizeBytes() + " were written");
        }
        data.close();
        SnapshotMeta snapshot =
            new SnapshotMeta(
                planned.index(), planned.term(), planned.configuration(), writer.sizeBytes());
        SnapshotFormat.Meta meta = new SnapshotFormat.Meta(snapshot, writer.crc());
        writeMeta(meta);
        io.syncDirectory(temp);
        return publish(temp, meta);
      } catch (IOException | RuntimeException e) {
        discard();
        throw e;
      } finally {
        forget();
      }
    }

    @Override
    public synchronized void abort() {
      if (!finished) {
        finished = true;
        writer.discard("aborted");
        discard();
        forget();
      }
    }

    private void writeMeta(SnapshotFormat.Meta meta) throws IOException {
      try (FileChannel channel =
          io.open(
              temp.resolve(SnapshotFormat.META_FILE),
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE)) {
        ByteBuffer bytes =
            ByteBuffer.wrap(SnapshotFormat.encodeMeta(meta.snapshot(), meta.dataCrc()));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
    }

    /** Closes the data file and removes the temporary directory, if it is still there. */
    private void discard() {
      try {
        data.close();
      } catch (IOException e) {
        log.warn("Could not close {}", temp, e);
      }
      deleteQuietly(temp);
    }

    private void forget() {
      synchronized (lock) {
        openSinks.remove(this);
      }
    }
  }
}
