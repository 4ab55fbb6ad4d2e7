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
package com.example.kv;

import dev.floe.raft.sim.Model;
import dev.floe.raft.sim.Simulation;
import dev.floe.raft.sim.Workload;
import dev.floe.raft.sim.junit.SimulationTest;
import dev.floe.raft.spi.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * A key-value store under the simulator's faults, checked against a model. A command is a put
 * ({@code 'P'}, key, value; it answers the value it replaced) or a delete ({@code 'D'}, key; it
 * answers the value it removed); a query is a key (it answers the key's value). Keys and values
 * are bytes after their length (32 bits); a missing value is empty.
 */
class KeyValueSimulationTest {

  @SimulationTest(seeds = 20)
  void theStoreIsLinearizableUnderFaults(long seed) {
    Simulation.builder()
        .seed(seed)
        .stateMachine(KeyValueStore::new)
        .workload(KeyValueWorkload::new)
        .model(KeyValueModel::new)
        .run()
        .assertPassed(); // on failure: what broke, the nodes' state, the journal, the replay
  }

  /** The state machine under test. */
  static final class KeyValueStore implements StateMachine {
    /** Sorted, so that the same state always snapshots to the same bytes. */
    private final TreeMap<String, byte[]> entries = new TreeMap<>();

    @Override
    public byte[] apply(long index, byte[] command) {
      ByteBuffer in = ByteBuffer.wrap(command);
      byte op = in.get();
      String key = new String(next(in), StandardCharsets.UTF_8);
      byte[] before = op == 'P' ? entries.put(key, next(in)) : entries.remove(key);
      return before != null ? before : new byte[0];
    }

    @Override
    public byte[] query(byte[] key) {
      return entries.getOrDefault(new String(key, StandardCharsets.UTF_8), new byte[0]);
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
      DataOutputStream d = new DataOutputStream(out);
      d.writeInt(entries.size());
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
        d.writeInt(key.length);
        d.write(key);
        d.writeInt(e.getValue().length);
        d.write(e.getValue());
      }
      d.flush();
    }

    @Override
    public void restore(InputStream snapshot) throws IOException {
      DataInputStream in = new DataInputStream(snapshot);
      entries.clear(); // a restore replaces the state
      for (int n = in.readInt(); n > 0; n--) {
        byte[] key = in.readNBytes(in.readInt());
        entries.put(new String(key, StandardCharsets.UTF_8), in.readNBytes(in.readInt()));
      }
    }
  }

  /** The model: what every command and query should give, as plainly as possible. */
  static final class KeyValueModel implements Model {
    private final Map<String, byte[]> entries = new HashMap<>();

    @Override
    public byte[] apply(long index, byte[] command) {
      ByteBuffer in = ByteBuffer.wrap(command);
      boolean put = in.get() == 'P';
      String key = new String(next(in), StandardCharsets.UTF_8);
      byte[] before = put ? entries.put(key, next(in)) : entries.remove(key);
      return before != null ? before : new byte[0];
    }

    @Override
    public byte[] query(byte[] key) {
      return entries.getOrDefault(new String(key, StandardCharsets.UTF_8), new byte[0]);
    }
  }

  /** What the clients do: puts and deletes of a few keys with binary values; reads of them. */
  static final class KeyValueWorkload implements Workload {
    private static final String[] KEYS = {"a", "b", "c", "ключ", "鍵"};

    private static byte[] key(RandomGenerator random) {
      return KEYS[random.nextInt(KEYS.length)].getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] command(RandomGenerator random) {
      if (random.nextInt(5) == 0) {
        return encode('D', key(random), null);
      }
      byte[] value = new byte[1 + random.nextInt(16)];
      random.nextBytes(value); // every byte value, 0x80 and above too
      return encode('P', key(random), value);
    }

    @Override
    public byte[] query(RandomGenerator random) {
      return key(random);
    }

    /** A put of exactly {@code size} bytes, for the calm phases under load. */
    @Override
    public byte[] largeCommand(RandomGenerator random, int size) {
      return encode('P', new byte[] {'a'}, new byte[size - 10]);
    }
  }

  /** A command: its operation, then the key and the value (if any), each after its length. */
  static byte[] encode(char op, byte[] key, byte[] value) {
    ByteBuffer out = ByteBuffer.allocate(5 + key.length + (value == null ? 0 : 4 + value.length));
    out.put((byte) op).putInt(key.length).put(key);
    if (value != null) {
      out.putInt(value.length).put(value);
    }
    return out.array();
  }

  /** The next bytes of a command, after their length. */
  static byte[] next(ByteBuffer in) {
    byte[] bytes = new byte[in.getInt()];
    in.get(bytes);
    return bytes;
  }
}
