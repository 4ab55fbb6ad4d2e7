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
package dev.floe.raft.bench.snapshot;

import dev.floe.raft.spi.StateMachine;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A state machine whose whole state is one file on disk, so that gigabytes of state need no heap:
 * the command {@link #grow(int) grow N} appends N MiB of deterministic pseudo-random bytes to it.
 * The byte at offset {@code p} depends only on {@code p} (a SplitMix64 stream indexed by the
 * 8-byte word), so every node that applies the same commands holds an identical file.
 *
 * <p>Snapshots stream the file in {@value #BUFFER_BYTES}-byte pieces, and a restore rewrites it the
 * same way: memory stays bounded whatever the size. Like the example's values.log, the file is
 * rebuilt on every start (emptied here, then restored from a snapshot and re-applied from the log),
 * so it is written to the OS but never forced.
 *
 * <p>The query {@link #CHECKSUM_QUERY} answers the file's CRC32C and length (16 bytes, big-endian),
 * computed on the apply thread, so it matches the applied index at that moment.
 *
 * <p>It also records when {@link #restore} last started and ended ({@link System#nanoTime()}), so
 * that a benchmark can split a catch-up into the transfer and the restore.
 *
 * <p>Called by one thread at a time (the node's apply thread), as {@link StateMachine} promises;
 * {@link #restoreStartNanos()} and {@link #restoreEndNanos()} may be read from any thread.
 */
public final class FileStateMachine implements StateMachine, Closeable {
  static final byte GROW = 'G';
  static final byte[] CHECKSUM_QUERY = {'C'};
  private static final int SNAPSHOT_MAGIC = 0x46534d31; // "FSM1"
  static final int BUFFER_BYTES = 1 << 20;
  private static final long SEED = 0x5eed_f10e_0001L;

  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
  private final byte[] copy = new byte[BUFFER_BYTES];
  private long length;
  private volatile long restoreStartNanos;
  private volatile long restoreEndNanos;

  /** Opens (creating or emptying) the state file. */
  public FileStateMachine(Path file) throws IOException {
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** The command that appends {@code mebibytes} MiB to the state. */
  public static byte[] grow(int mebibytes) {
    if (mebibytes < 1) {
      throw new IllegalArgumentException("grow by at least 1 MiB: " + mebibytes);
    }
    return ByteBuffer.allocate(5).put(GROW).putInt(mebibytes).array();
  }

  @Override
  public byte[] apply(long index, byte[] command) {
    if (command.length != 5 || command[0] != GROW) {
      throw new IllegalArgumentException("not a grow command");
    }
    int mebibytes = ByteBuffer.wrap(command, 1, 4).getInt();
    if (mebibytes < 1) {
      throw new IllegalArgumentException("grow by at least 1 MiB: " + mebibytes);
    }
    try {
      for (int i = 0; i < mebibytes; i++) {
        fill(buffer, length);
        writeFully(buffer, length);
        length += BUFFER_BYTES;
      }
    } catch (IOException e) {
      // This node alone cannot write its state: not a rejected command.
      throw new UncheckedIOException("cannot grow the state file", e);
    }
    return ByteBuffer.allocate(8).putLong(length).array();
  }

  @Override
  public byte[] query(byte[] query) {
    if (query.length != 1 || query[0] != CHECKSUM_QUERY[0]) {
      throw new IllegalArgumentException("unknown query");
    }
    try {
      return ByteBuffer.allocate(16).putLong(checksum()).putLong(length).array();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the state file", e);
    }
  }

  /** Streams the file: magic, length, then its bytes. */
  @Override
  public void snapshot(OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(SNAPSHOT_MAGIC);
    data.writeLong(length);
    ByteBuffer heap = ByteBuffer.wrap(copy);
    for (long position = 0; position < length; ) {
      heap.clear().limit((int) Math.min(copy.length, length - position));
      int n = channel.read(heap, position);
      if (n < 0) {
        throw new EOFException("the state file is shorter than " + length + " bytes");
      }
      data.write(copy, 0, heap.position());
      position += heap.position();
    }
    data.flush();
  }

  /** Replaces the file with the snapshot's bytes. */
  @Override
  public void restore(InputStream in) throws IOException {
    restoreStartNanos = System.nanoTime();
    DataInputStream data = new DataInputStream(in);
    if (data.readInt() != SNAPSHOT_MAGIC) {
      throw new IOException("not a snapshot of " + getClass().getSimpleName());
    }
    long size = data.readLong();
    channel.truncate(0);
    length = 0;
    while (length < size) {
      int n = data.read(copy, 0, (int) Math.min(copy.length, size - length));
      if (n < 0) {
        throw new EOFException("the snapshot ends after " + length + " of " + size + " bytes");
      }
      writeFully(ByteBuffer.wrap(copy, 0, n), length);
      length += n;
    }
    restoreEndNanos = System.nanoTime();
  }

  /** When the last restore started, by {@link System#nanoTime()}; 0 if none. */
  public long restoreStartNanos() {
    return restoreStartNanos;
  }

  /** When the last restore ended, by {@link System#nanoTime()}; 0 if none ended. */
  public long restoreEndNanos() {
    return restoreEndNanos;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private long checksum() throws IOException {
    CRC32C crc = new CRC32C();
    for (long position = 0; position < length; ) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), length - position));
      int n = channel.read(buffer, position);
      if (n < 0) {
        throw new EOFException("the state file is shorter than " + length + " bytes");
      }
      buffer.flip();
      crc.update(buffer);
      position += n;
    }
    return crc.getValue();
  }

  private void writeFully(ByteBuffer bytes, long position) throws IOException {
    long at = position;
    while (bytes.hasRemaining()) {
      at += channel.write(bytes, at);
    }
  }

  /** Fills {@code out} with the bytes at {@code offset} onwards (offset a multiple of 8). */
  static void fill(ByteBuffer out, long offset) {
    out.clear();
    LongBuffer words = out.asLongBuffer();
    long word = offset / Long.BYTES;
    while (words.hasRemaining()) {
      words.put(splitMix64(SEED + word++));
    }
    out.position(0).limit(out.capacity());
  }

  private static long splitMix64(long x) {
    long z = x * 0x9e3779b97f4a7c15L;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
