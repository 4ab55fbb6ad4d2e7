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
package com.example.counter;

import dev.floe.raft.spi.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replicated map of named 64-bit counters (see {@link CounterCommands} for the commands). The
 * counters live in a {@link TreeMap}, so that the same state always snapshots to the same bytes.
 * Used on the node's apply thread only.
 */
public class CounterMap implements StateMachine {
  /** "CNTR": the first four bytes of a snapshot. */
  static final int SNAPSHOT_MAGIC = 0x434E5452;
  static final byte SNAPSHOT_VERSION = 1;

  /** The counters; a counter that was never added to, or was deleted, is absent (reads as 0). */
  protected final TreeMap<String, Long> counters = new TreeMap<>();

  @Override
  public byte[] apply(long index, byte[] command) {
    CounterCommands.Decoded c = CounterCommands.decode(command);
    return switch (c.type()) {
      case CounterCommands.ADD -> CounterCommands.number(add(c.key(), c.delta()));
      case CounterCommands.ADD_ALL -> {
        c.deltas().forEach(this::add);
        yield CounterCommands.number(counters.size());
      }
      case CounterCommands.DELETE -> {
        Long before = counters.remove(c.key());
        yield CounterCommands.number(before == null ? 0 : before);
      }
      default -> throw new IllegalArgumentException("not a command: type " + c.type());
    };
  }

  /** Adds to a counter and returns its new value. */
  protected long add(String key, long delta) {
    return counters.merge(key, delta, Long::sum);
  }

  @Override
  public byte[] query(byte[] query) {
    CounterCommands.Decoded q = CounterCommands.decode(query);
    return switch (q.type()) {
      case CounterCommands.GET -> CounterCommands.number(counters.getOrDefault(q.key(), 0L));
      case CounterCommands.TOTAL -> CounterCommands.total(
          counters.values().stream().mapToLong(Long::longValue).sum(), counters.size());
      default -> throw new IllegalArgumentException("not a query: type " + q.type());
    };
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(SNAPSHOT_MAGIC);
    d.writeByte(SNAPSHOT_VERSION);
    d.writeInt(counters.size());
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      writeKey(d, e.getKey());
      d.writeLong(e.getValue());
    }
    d.flush();
  }

  /** How a snapshot writes a key (UTF-8 with its length). */
  protected void writeKey(DataOutputStream out, String key) throws IOException {
    CounterCommands.writeKey(out, key);
  }

  @Override
  public void restore(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    if (d.readInt() != SNAPSHOT_MAGIC || d.readByte() != SNAPSHOT_VERSION) {
      throw new IOException("not a counter map snapshot of version " + SNAPSHOT_VERSION);
    }
    counters.clear(); // a restore replaces the state, never merges into it
    int count = d.readInt();
    for (int i = 0; i < count; i++) {
      counters.put(CounterCommands.readKey(d), d.readLong());
    }
  }

  /**
   * A digest of the state, equal exactly when two maps hold the same counters: SHA-256 over the
   * counters in key order.
   */
  public byte[] digest() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      counters.forEach((key, value) -> {
        sha.update(CounterCommands.add(key, value)); // the same encoding as a command: unambiguous
      });
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
