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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Serves two state machines from one Raft log: every command and query starts with a type byte
 * ({@link #VALUES} or {@link #KEY_VALUE}) that says which one it is for; the rest is handed to it.
 *
 * <p>Both parts see the same log in the same order, so together they are as deterministic as each
 * alone. A snapshot holds the values part then the key-value part, each as a length-prefixed
 * image (buffered in memory: fine for an example, a real application would stream).
 *
 * <p>Called only on the node's apply thread; not thread-safe.
 */
public final class CompositeStateMachine implements StateMachine {
  /** Type byte of a command for the {@link ValuesStateMachine}. */
  public static final byte VALUES = 1;
  /** Type byte of a command or query for the {@link KeyValueStateMachine}. */
  public static final byte KEY_VALUE = 2;

  private final ValuesStateMachine values;
  private final KeyValueStateMachine keyValue;

  /** Routes to {@code values} and {@code keyValue}. */
  public CompositeStateMachine(ValuesStateMachine values, KeyValueStateMachine keyValue) {
    this.values = Objects.requireNonNull(values, "values");
    this.keyValue = Objects.requireNonNull(keyValue, "keyValue");
  }

  /** Returns {@code command} prefixed with the type byte {@code type}. */
  public static byte[] route(byte type, byte[] command) {
    byte[] routed = new byte[command.length + 1];
    routed[0] = type;
    System.arraycopy(command, 0, routed, 1, command.length);
    return routed;
  }

  @Override
  public byte[] apply(long index, byte[] command) {
    return target(command).apply(index, rest(command));
  }

  @Override
  public byte[] query(byte[] query) {
    return target(query).query(rest(query));
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    for (StateMachine part : new StateMachine[] {values, keyValue}) {
      ByteArrayOutputStream image = new ByteArrayOutputStream();
      part.snapshot(image);
      data.writeInt(image.size());
      image.writeTo(data);
    }
    data.flush();
  }

  @Override
  public void restore(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    for (StateMachine part : new StateMachine[] {values, keyValue}) {
      int length = data.readInt();
      byte[] image = data.readNBytes(length);
      if (length < 0 || image.length != length) {
        throw new IOException("truncated composite snapshot");
      }
      part.restore(new ByteArrayInputStream(image));
    }
  }

  private StateMachine target(byte[] bytes) {
    if (bytes.length == 0) {
      throw new IllegalArgumentException("empty command");
    }
    if (bytes[0] == VALUES) {
      return values;
    }
    if (bytes[0] == KEY_VALUE) {
      return keyValue;
    }
    throw new IllegalArgumentException("unknown command type " + bytes[0]);
  }

  private static byte[] rest(byte[] bytes) {
    return Arrays.copyOfRange(bytes, 1, bytes.length);
  }
}
