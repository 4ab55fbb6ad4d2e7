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
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small replicated key-value store: the example of a custom {@link StateMachine} with queries and
 * snapshots.
 *
 * <h2>Command and query format</h2>
 * Every command and query starts with an operation byte, then the key as a big-endian unsigned
 * 16-bit length and that many bytes of UTF-8 (1 to {@value #MAX_KEY_BYTES} bytes):
 * <pre>
 *   PUT    (1) keyLength(2) key value...   command: sets key to the remaining bytes; result empty
 *   DELETE (2) keyLength(2) key            command: removes key; result one byte, 1 if it existed
 *   GET    (3) keyLength(2) key            query: result 1 then the value, or 0 if absent
 * </pre>
 * A malformed command (unknown operation, bad length, empty key) throws
 * {@link IllegalArgumentException}: deterministic, so every node rejects it and the state is
 * unchanged. Build commands with {@link #put}, {@link #delete} and {@link #get}.
 *
 * <h2>Snapshots</h2>
 * {@code "FKV1"}, the entry count, then each entry in key order: key length, key, value length,
 * value. The map is a {@link TreeMap}, so the same state always gives the same bytes.
 *
 * <h2>Threading</h2>
 * Called only on the node's apply thread; not thread-safe.
 */
public final class KeyValueStateMachine implements StateMachine {
  /** Operation byte: set a key. */
  public static final byte PUT = 1;
  /** Operation byte: remove a key. */
  public static final byte DELETE = 2;
  /** Operation byte: read a key (a query, never a command). */
  public static final byte GET = 3;
  /** The longest key, in UTF-8 bytes. */
  public static final int MAX_KEY_BYTES = 1024;

  private static final int SNAPSHOT_MAGIC = 0x464b5631; // "FKV1"

  private final TreeMap<String, byte[]> entries = new TreeMap<>();

  /** Returns a command that sets {@code key} to {@code value}. */
  public static byte[] put(String key, byte[] value) {
    byte[] k = keyBytes(key);
    return ByteBuffer.allocate(3 + k.length + value.length)
        .put(PUT).putShort((short) k.length).put(k).put(value).array();
  }

  /** Returns a command that removes {@code key}. */
  public static byte[] delete(String key) {
    return keyOnly(DELETE, key);
  }

  /** Returns a query that reads {@code key}. */
  public static byte[] get(String key) {
    return keyOnly(GET, key);
  }

  @Override
  public byte[] apply(long index, byte[] command) {
    ByteBuffer in = ByteBuffer.wrap(command);
    byte op = operation(in);
    String key = readKey(in);
    if (op == PUT) {
      entries.put(key, Arrays.copyOfRange(command, in.position(), command.length));
      return new byte[0];
    }
    if (op == DELETE) {
      requireEnd(in);
      return new byte[] {(byte) (entries.remove(key) != null ? 1 : 0)};
    }
    throw new IllegalArgumentException("operation " + op + " is not a key-value command");
  }

  @Override
  public byte[] query(byte[] query) {
    ByteBuffer in = ByteBuffer.wrap(query);
    if (operation(in) != GET) {
      throw new IllegalArgumentException("only GET is a key-value query");
    }
    String key = readKey(in);
    requireEnd(in);
    byte[] value = entries.get(key);
    if (value == null) {
      return new byte[] {0};
    }
    return ByteBuffer.allocate(1 + value.length).put((byte) 1).put(value).array();
  }

  /** Returns how many keys are stored. */
  public int size() {
    return entries.size();
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(SNAPSHOT_MAGIC);
    data.writeInt(entries.size());
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
      data.writeShort(key.length);
      data.write(key);
      data.writeInt(e.getValue().length);
      data.write(e.getValue());
    }
    data.flush();
  }

  @Override
  public void restore(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    if (data.readInt() != SNAPSHOT_MAGIC) {
      throw new IOException("not a key-value snapshot (bad magic number)");
    }
    int count = data.readInt();
    if (count < 0) {
      throw new IOException("bad entry count " + count);
    }
    TreeMap<String, byte[]> restored = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      String key = new String(data.readNBytes(data.readUnsignedShort()), StandardCharsets.UTF_8);
      int length = data.readInt();
      if (length < 0) {
        throw new IOException("bad value length " + length + " for key '" + key + "'");
      }
      byte[] value = data.readNBytes(length);
      if (value.length != length) {
        throw new IOException("snapshot ends inside the value of key '" + key + "'");
      }
      restored.put(key, value);
    }
    entries.clear();
    entries.putAll(restored);
  }

  private static byte operation(ByteBuffer in) {
    if (!in.hasRemaining()) {
      throw new IllegalArgumentException("empty key-value command");
    }
    byte op = in.get();
    if (op != PUT && op != DELETE && op != GET) {
      throw new IllegalArgumentException("unknown key-value operation " + op);
    }
    return op;
  }

  private static String readKey(ByteBuffer in) {
    if (in.remaining() < 2) {
      throw new IllegalArgumentException("key-value command too short for a key length");
    }
    int length = Short.toUnsignedInt(in.getShort());
    if (length == 0 || length > MAX_KEY_BYTES || length > in.remaining()) {
      throw new IllegalArgumentException("bad key length " + length);
    }
    byte[] key = new byte[length];
    in.get(key);
    return new String(key, StandardCharsets.UTF_8);
  }

  private static void requireEnd(ByteBuffer in) {
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " unexpected bytes after the key");
    }
  }

  private static byte[] keyOnly(byte op, String key) {
    byte[] k = keyBytes(key);
    return ByteBuffer.allocate(3 + k.length).put(op).putShort((short) k.length).put(k).array();
  }

  private static byte[] keyBytes(String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    if (k.length == 0 || k.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("a key is 1 to " + MAX_KEY_BYTES + " bytes of UTF-8");
    }
    return k;
  }
}
