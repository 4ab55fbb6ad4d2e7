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
package dev.floe.raft.example;

import dev.floe.raft.spi.StateMachine;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The lab's state machine: every committed value becomes one line {@code write <value>} of a
 * {@code values.log} file, in log order.
 *
 * <h2>Why the file is rebuilt from scratch</h2>
 * {@code values.log} is a <em>side output</em>: it is not where the truth lives. The truth is the
 * Raft log and the snapshots, which are durable (fsynced) before an entry is acknowledged or a
 * snapshot replaces the log. Every time a node starts it restores its latest snapshot into a fresh
 * state machine, if it has one, then re-applies the committed log after it (from index 1 without a
 * snapshot). If this class appended to an existing file, a restart would write every value a second
 * time. So each instance writes a new file from scratch, and each {@link #apply} appends one line.
 * The line is written to the operating system (not fsynced) before {@code apply} returns: a crash of
 * the process keeps it, a crash of the machine may lose it, and in both cases the next start
 * rewrites the whole file from the durable log. The result: after any crash and restart, the file
 * holds each committed value exactly once, in log order, identical on every node.
 *
 * <p>{@link #restore} does the same from a snapshot: it replaces the whole file with the snapshot's
 * copy, so a node brought up from a snapshot (its own at start, or the leader's) has no gap and no
 * duplicate.
 *
 * <h2>The old file stays until the node has started</h2>
 * The new file is written next to {@code values.log}, as {@code values.log.rebuilding}, and replaces
 * it (an atomic rename) only when {@link #publish()} is called, which the node does once it has
 * started: its stores opened and checked, its ports bound. A node that refuses to start (a corrupt
 * log, the data directory of another node or cluster, a port in use) so leaves its {@code
 * values.log} exactly as it was, and {@link #close()} before {@code publish()} removes the
 * unfinished rebuild. Lines applied before the rename land in the rebuilt file all the same: the
 * rename moves the file, not the open channel.
 *
 * <h2>Commands</h2>
 * Two binary formats, built by {@link #write(String)} and {@link #write(UUID, long, String)}:
 * <pre>
 *   'W' value...                          a plain write: the value in UTF-8
 *   'S' clientId(16) sequence(8) value... a write within a client session (big-endian)
 * </pre>
 * A value is 1 or more characters of valid UTF-8 without a line break (so that one value is one
 * line). Anything else is rejected with {@link IllegalArgumentException} on every node alike, and
 * nothing is written.
 *
 * <h2>Client sessions: exactly once despite retries</h2>
 * A client that does not know whether its write committed (its server crashed mid-request) can only
 * find out by retrying, and a blind retry could write the value twice. A session write carries the
 * client's id and a sequence number that grows by one per value; this state machine remembers the
 * last sequence number of each client and the index it was written at, and applies a repeated or
 * older number as a no-op that returns the original index. Clients must have at most one write in
 * flight per id. The session table is part of the state (deterministic, and in the snapshot).
 *
 * <h2>Result</h2>
 * Eight bytes, big-endian: the log index at which the value's line was written (for a repeated
 * session write, the index of the first one).
 *
 * <h2>Threading</h2>
 * Called only by the node's apply thread, as {@link StateMachine} promises; not thread-safe.
 */
public final class ValuesStateMachine implements StateMachine, Closeable {
  /** The command kind of a plain write. */
  public static final byte PLAIN_WRITE = 'W';
  /** The command kind of a write within a client session. */
  public static final byte SESSION_WRITE = 'S';

  private static final int SNAPSHOT_MAGIC = 0x564c4f47; // "VLOG"
  private static final int SESSION_HEADER_BYTES = 1 + 16 + 8;

  /** The suffix of the file being rebuilt, next to values.log, until {@link #publish()}. */
  public static final String REBUILDING_SUFFIX = ".rebuilding";

  private final Path file;
  private final Path rebuilding;
  private final FileChannel channel;
  /** Guarded by this. */
  private boolean published;
  /** Guarded by this. */
  private boolean closed;
  /** Per client: {last sequence, index it was written at}. */
  private final Map<UUID, long[]> sessions = new HashMap<>();
  /** Written by the apply thread only; volatile so that the live view may read it. */
  private volatile long lines;

  /**
   * Creates the state machine over an empty {@code values.log.rebuilding} next to {@code file}
   * (created, or emptied if an earlier start left one): Floe is about to re-apply the committed log
   * from the start. {@code file} itself is not touched until {@link #publish()}.
   *
   * @param file the values.log to rebuild
   * @throws IOException if the file cannot be created
   */
  public ValuesStateMachine(Path file) throws IOException {
    this.file = Objects.requireNonNull(file, "file");
    this.rebuilding = file.resolveSibling(file.getFileName() + REBUILDING_SUFFIX);
    this.channel = FileChannel.open(rebuilding, StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /**
   * Replaces {@code values.log} with the file being rebuilt, atomically; later lines go on being
   * appended to it. Call it once the node has started. Idempotent; may be called from any thread,
   * while {@link #apply} runs.
   *
   * @throws IOException if the file cannot be renamed atomically (no other kind of rename is tried)
   */
  public synchronized void publish() throws IOException {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (!published) {
      Files.move(rebuilding, file, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      published = true;
    }
  }

  /** Returns a plain write command for {@code value}. */
  public static byte[] write(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + utf8.length).put(PLAIN_WRITE).put(utf8).array();
  }

  /** Returns a session write command: the {@code sequence}-th value of client {@code clientId}. */
  public static byte[] write(UUID clientId, long sequence, String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(SESSION_HEADER_BYTES + utf8.length)
        .put(SESSION_WRITE)
        .putLong(clientId.getMostSignificantBits())
        .putLong(clientId.getLeastSignificantBits())
        .putLong(sequence)
        .put(utf8)
        .array();
  }

  /**
   * Checks that {@code value} can be one line of values.log: not empty, no line break.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static void checkValue(String value) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException("the value is empty");
    }
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("the value contains a line break");
    }
  }

  @Override
  public byte[] apply(long index, byte[] command) {
    if (command.length == 0) {
      throw new IllegalArgumentException("empty values command");
    }
    ByteBuffer in = ByteBuffer.wrap(command);
    byte kind = in.get();
    UUID client = null;
    long sequence = 0;
    if (kind == SESSION_WRITE) {
      if (command.length < SESSION_HEADER_BYTES) {
        throw new IllegalArgumentException("session write of " + command.length + " bytes is too short");
      }
      client = new UUID(in.getLong(), in.getLong());
      sequence = in.getLong();
    } else if (kind != PLAIN_WRITE) {
      throw new IllegalArgumentException("unknown values command kind " + kind);
    }
    String value = decodeUtf8(in);
    checkValue(value);
    if (client != null) {
      long[] last = sessions.get(client);
      if (last != null && sequence <= last[0]) {
        return longBytes(last[1]); // a retry of a write that is already in the file
      }
    }
    appendLine("write " + value + "\n");
    if (client != null) {
      sessions.put(client, new long[] {sequence, index});
    }
    return longBytes(index);
  }

  /** Returns how many lines the file holds; may be called from any thread. */
  public long lineCount() {
    return lines;
  }

  /**
   * Writes the file's content and the session table. Runs on the apply thread, so the image is
   * exactly the state after the last applied command.
   */
  @Override
  public void snapshot(OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(SNAPSHOT_MAGIC);
    data.writeInt(sessions.size());
    for (Map.Entry<UUID, long[]> e : new java.util.TreeMap<>(sessions).entrySet()) {
      data.writeLong(e.getKey().getMostSignificantBits());
      data.writeLong(e.getKey().getLeastSignificantBits());
      data.writeLong(e.getValue()[0]);
      data.writeLong(e.getValue()[1]);
    }
    data.writeLong(lines);
    byte[] content = content();
    data.writeInt(content.length);
    data.write(content);
    data.flush();
  }

  /** Replaces the file and the session table with the snapshot's. */
  @Override
  public void restore(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    if (data.readInt() != SNAPSHOT_MAGIC) {
      throw new IOException("not a values snapshot (bad magic number)");
    }
    int sessionCount = data.readInt();
    Map<UUID, long[]> restored = new HashMap<>();
    for (int i = 0; i < sessionCount; i++) {
      UUID client = new UUID(data.readLong(), data.readLong());
      restored.put(client, new long[] {data.readLong(), data.readLong()});
    }
    long restoredLines = data.readLong();
    byte[] content = data.readNBytes(data.readInt());
    channel.truncate(0);
    channel.position(0);
    writeFully(ByteBuffer.wrap(content));
    sessions.clear();
    sessions.putAll(restored);
    lines = restoredLines;
  }

  /**
   * Closes the file. Before {@link #publish()}, the unfinished rebuild is removed and {@code
   * values.log} stays as it was.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    channel.close();
    if (!published) {
      Files.deleteIfExists(rebuilding);
    }
  }

  /** The file's content, read through the channel: the rebuilt file, whatever its name is now. */
  private byte[] content() throws IOException {
    long size = channel.size();
    if (size > Integer.MAX_VALUE - 16) {
      throw new IOException(file + " is too large to snapshot: " + size + " bytes");
    }
    ByteBuffer content = ByteBuffer.allocate((int) size);
    while (content.hasRemaining()) {
      // A positional read leaves the append position alone.
      if (channel.read(content, content.position()) < 0) {
        throw new IOException(file + " shrank while it was read for a snapshot");
      }
    }
    return content.array();
  }

  private void appendLine(String line) {
    try {
      writeFully(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      // Not a rejected command: this node alone failed to write its side output. Going on would
      // leave a gap in this node's values.log, so fail loudly instead.
      throw new UncheckedIOException("cannot write " + file, e);
    }
    lines++;
  }

  private void writeFully(ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  private static String decodeUtf8(ByteBuffer bytes) {
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the value is not valid UTF-8");
    }
  }

  private static byte[] longBytes(long value) {
    return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
  }
}
