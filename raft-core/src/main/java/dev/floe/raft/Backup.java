package dev.floe.raft;

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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Backups of a node's state, taken while it runs, and the file that seeds a new cluster with one
 * ({@link RaftNodeBuilder#restoreFrom}).
 *
 * <p>A backup is a snapshot the node takes on demand (so it holds every entry applied so far:
 * the state machine's image and the client sessions), copied into one file:
 *
 * <pre>
 * "FLOEBKUP" | version int32 (1) | index int64 | term int64 | configuration length int32 | bytes
 *            | data length int64 | data | CRC32C int32 of everything before it
 * </pre>
 *
 * <p>The file is written beside its target, forced and renamed into place, so a crash leaves
 * either the old file or the whole new one.
 */
public final class Backup {
  private static final byte[] MAGIC = "FLOEBKUP".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final int VERSION = 1;

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
   * Takes a snapshot of a running node now and writes it to {@code file}. Blocks the caller while
   * the snapshot is taken and copied; the node goes on meanwhile.
   *
   * @throws IllegalStateException if the node has no snapshot store or is not running
   * @throws IOException if the snapshot cannot be taken, read or written
   */
  public static Info write(RaftNode node, Path file) throws IOException {
    SnapshotStore store = node.parts.snapshotStore();
    try {
      node.takeSnapshot().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while taking the snapshot to back up", e);
    } catch (ExecutionException e) {
      throw new IOException("taking the snapshot to back up failed", e.getCause());
    }
    IOException lastFailure = null;
    // A newer snapshot may replace this one while it is copied: then copy that one.
    for (int attempt = 0; attempt < 3; attempt++) {
      SnapshotMeta meta = store.latest().orElseThrow(() -> new IOException("no snapshot"));
      try (InputStream data = store.open(meta, 0)) {
        return writeFile(file, meta, data);
      } catch (IOException e) {
        lastFailure = e;
      }
    }
    throw lastFailure;
  }

  private static Info writeFile(Path file, SnapshotMeta meta, InputStream data)
      throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      CRC32C crc = new CRC32C();
      DataOutputStream out = new DataOutputStream(new CheckedOutputStream(
          new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16),
          crc));
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
      out.flush();
      new DataOutputStream(java.nio.channels.Channels.newOutputStream(channel))
          .writeInt((int) crc.getValue());
      channel.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(),
        StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException ignored) {
      // Not every platform can force a directory; the file itself is durable.
    }
    return new Info(meta.index(), meta.term(), meta.sizeBytes());
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
          throw new IOException(file + " is not a Floe backup");
        }
        int version = in.readInt();
        if (version != VERSION) {
          throw new IOException(file + " is a Floe backup of format version " + version
              + ", which this Floe does not read (it reads version " + VERSION + ")");
        }
        long index = in.readLong();
        long term = in.readLong();
        int configurationLength = in.readInt();
        if (configurationLength < 0 || configurationLength > (1 << 20)) {
          throw new IOException(file + " is damaged: a configuration of " + configurationLength
              + " bytes");
        }
        configuration = in.readNBytes(configurationLength);
        long size = in.readLong();
        if (index < 1 || term < 1 || size < 0) {
          throw new IOException(file + " is damaged: index " + index + ", term " + term
              + ", size " + size);
        }
        info = new Info(index, term, size);
      } catch (EOFException e) {
        in.close();
        throw new IOException(file + " is truncated", e);
      } catch (IOException | RuntimeException e) {
        in.close();
        throw e;
      }
    }

    /**
     * Copies the snapshot data to {@code out}, then checks the file's checksum.
     *
     * @throws IOException if the file is truncated or damaged
     */
    void copyDataTo(OutputStream out) throws IOException {
      byte[] buffer = new byte[1 << 16];
      long left = info.sizeBytes();
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new IOException(file + " is truncated: " + left + " bytes of data missing");
        }
        out.write(buffer, 0, n);
        left -= n;
      }
      int expected = (int) crc.getValue();
      int stored;
      try {
        stored = new DataInputStream(in).readInt();
      } catch (EOFException e) {
        throw new IOException(file + " is truncated: its checksum is missing", e);
      }
      if (stored != expected) {
        throw new IOException(file + " is damaged: its checksum does not match its contents");
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
