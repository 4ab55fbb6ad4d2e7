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
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.SnapshotStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Backups of a node's state, taken while it runs, and the file that founds a new cluster with one
 * ({@link RaftNodeBuilder#restoreFrom}).
 *
 * <p>A backup is a snapshot the node takes on demand, after a linearizable read barrier, so it
 * holds every write acknowledged by any node before the call (the state machine's image and the
 * client sessions), copied into one file:
 *
 * <pre>
 * "FLOEBKUP" | version int32 (1) | index int64 | term int64 | configuration length int32 | bytes
 *            | data length int64 | data | CRC32C int32 of everything before it
 * </pre>
 *
 * <p>The file is written beside its target, forced and renamed into place, so a crash leaves
 * either the old file or the whole new one. It records no cluster id: a restore founds a new
 * cluster, which the nodes of the old one cannot mistake for theirs.
 */
public final class Backup {
  private static final byte[] MAGIC = "FLOEBKUP".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final int MAX_CONFIGURATION_BYTES = 1 << 20;

  private Backup() {}

  /**
   * What a backup holds.
   *
   * @param index the last log index it covers
   * @param term the term of that entry
   * @param sizeBytes the size of the snapshot data in it
   */
  public record Info(long index, long term, long sizeBytes) {}

  /**
   * Writes a backup of a running node to {@code file}: waits until this node has applied every
   * entry committed before the call (a linearizable read barrier, answered through the leader),
   * takes a snapshot and copies it. Blocks the caller while it does; the node goes on meanwhile.
   * Call it off the node's threads (not from a callback of one of its futures).
   *
   * @param node a running node with a snapshot store
   * @param file where to write the backup; replaced atomically if it exists
   * @return the index and term the backup covers, and its size
   * @throws IllegalStateException if the node has no snapshot store
   * @throws IOException if there is no leader to confirm the barrier, or the snapshot cannot be
   *     taken, read or written; no file is left at {@code file} then (an older one stays)
   */
  public static Info write(RaftNode node, Path file) throws IOException {
    SnapshotStore store = node.parts.snapshotStore();
    CompletableFuture<byte[]> barrier = new CompletableFuture<>();
    // A query of null asks the state machine nothing: it completes once the read index is applied.
    node.parts.onLoop(barrier,
        l -> l.requests().query(null, ReadConsistency.LINEARIZABLE, barrier));
    await(barrier, "confirming the applied index");
    await(node.takeSnapshot(), "taking the snapshot");
    IOException lastFailure = null;
    // A newer snapshot may replace this one while it is copied: then copy that one.
    for (int attempt = 0; attempt < 3; attempt++) {
      SnapshotMeta meta = store.latest().orElseThrow(() -> new IOException(
          "node " + node.id() + " has applied nothing yet: there is nothing to back up"));
      try (InputStream data = store.open(meta, 0)) {
        return writeFile(file, meta, data);
      } catch (IOException e) {
        lastFailure = e;
      }
    }
    throw lastFailure;
  }

  /**
   * Reads a whole backup file and checks it: its format, its length and its checksum.
   *
   * @param file the backup file
   * @return what it holds
   * @throws IOException naming the file and what is wrong with it: not a backup, another format
   *     version, truncated, damaged (the checksum does not match), or trailing bytes
   */
  public static Info verify(Path file) throws IOException {
    try (Reader reader = new Reader(file)) {
      reader.copyDataTo(OutputStream.nullOutputStream());
      return reader.info;
    }
  }

  /**
   * Writes a backup into an open, empty snapshot store as its first snapshot, with a membership
   * of {@code self} alone: the state a restored node starts from. Nothing is published unless the
   * whole file was read and its checksum matched.
   */
  static SnapshotMeta seed(Path file, SnapshotStore store, NodeId self) throws IOException {
    try (Reader reader = new Reader(file);
        SnapshotStore.Sink sink = store.begin(reader.info.index(), reader.info.term(),
            Configuration.ofVoters(List.of(self)).encode())) {
      reader.copyDataTo(sink.stream());
      return sink.commit();
    }
  }

  private static <T> T await(CompletableFuture<T> future, String what) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while " + what + " for a backup", e);
    } catch (ExecutionException e) {
      throw new IOException(what + " for a backup failed: " + e.getCause(), e.getCause());
    }
  }

  private static Info writeFile(Path file, SnapshotMeta meta, InputStream data)
      throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        CRC32C crc = new CRC32C();
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(
            new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16), crc));
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(meta.index());
        out.writeLong(meta.term());
        out.writeInt(meta.configuration().length);
        out.write(meta.configuration());
        out.writeLong(meta.sizeBytes());
        long copied = data.transferTo(out);
        if (copied != meta.sizeBytes()) {
          throw new IOException("snapshot " + meta + " gave " + copied + " bytes");
        }
        out.writeInt((int) crc.getValue()); // the checksum covers what came before it
        out.flush();
        channel.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    forceDirectory(file.toAbsolutePath().getParent());
    return new Info(meta.index(), meta.term(), meta.sizeBytes());
  }

  private static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException ignored) {
      // Not every platform can force a directory; the file itself is durable.
    }
  }

  /** A backup file opened for reading: its header, and its data as a stream. */
  static final class Reader implements AutoCloseable {
    final Info info;
    final byte[] configuration;
    private final DataInputStream in;
    private final CRC32C crc = new CRC32C();
    private final Path file;

    /**
     * Opens {@code file} and reads its header.
     *
     * @throws IOException if it is no Floe backup, of another version, or truncated
     */
    Reader(Path file) throws IOException {
      this.file = file;
      this.in = new DataInputStream(new CheckedInputStream(
          new BufferedInputStream(Files.newInputStream(file), 1 << 16), crc));
      try {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
          throw new IOException(file + " is not a Floe backup: it does not start with "
              + "\"FLOEBKUP\"" + (magic.length < MAGIC.length ? " (it is too short)" : ""));
        }
        int version = in.readInt();
        if (version != VERSION) {
          throw new IOException(file + " is a Floe backup of format version " + version
              + ", which this Floe does not read (it reads version " + VERSION + ")");
        }
        long index = in.readLong();
        long term = in.readLong();
        int configurationLength = in.readInt();
        if (configurationLength < 0 || configurationLength > MAX_CONFIGURATION_BYTES) {
          throw new IOException(file + " is damaged: a configuration of " + configurationLength
              + " bytes");
        }
        configuration = in.readNBytes(configurationLength);
        if (configuration.length < configurationLength) {
          throw new EOFException();
        }
        long size = in.readLong();
        if (index < 1 || term < 1 || size < 0) {
          throw new IOException(file + " is damaged: index " + index + ", term " + term
              + ", size " + size);
        }
        info = new Info(index, term, size);
      } catch (EOFException e) {
        in.close();
        throw new IOException(file + " is truncated: its header is incomplete", e);
      } catch (IOException | RuntimeException e) {
        in.close();
        throw e;
      }
    }

    /**
     * Copies the snapshot data to {@code out}, then checks the file's checksum and that nothing
     * follows it.
     *
     * @throws IOException if the file is truncated or damaged
     */
    void copyDataTo(OutputStream out) throws IOException {
      byte[] buffer = new byte[1 << 16];
      long left = info.sizeBytes();
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new IOException(file + " is truncated: " + left + " of its " + info.sizeBytes()
              + " bytes of data are missing");
        }
        out.write(buffer, 0, n);
        left -= n;
      }
      int expected = (int) crc.getValue();
      int stored;
      try {
        stored = in.readInt();
      } catch (EOFException e) {
        throw new IOException(file + " is truncated: its checksum is missing", e);
      }
      if (stored != expected) {
        throw new IOException(file + " is damaged: its checksum does not match its contents");
      }
      if (in.read() >= 0) {
        throw new IOException(file + " is damaged: bytes follow its checksum");
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
