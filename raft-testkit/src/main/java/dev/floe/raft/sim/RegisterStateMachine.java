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
package dev.floe.raft.sim;

import dev.floe.raft.spi.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A register: each command becomes its value; a query returns the current value (empty before the
 * first command). The simulator's default state machine.
 *
 * <p>The result of a command depends on the whole state, so that nodes whose states diverged give
 * different results at the same index (which the simulator checks): it is the value the command
 * replaces (or, over 64 bytes, its length in angle brackets, such as {@code <1048576 bytes>}), then
 * {@code #}, then 16 hex digits of a running digest of every index and command applied so far, this
 * one included. The digest is part of the snapshot, so a node that was brought up to date by a
 * snapshot continues the same digest.
 *
 * <p>Used on the apply thread only, as every state machine.
 */
public final class RegisterStateMachine implements StateMachine {
  private static final long FNV_PRIME = 0x100000001B3L;
  private static final long FNV_OFFSET = 0xCBF29CE484222325L;

  private byte[] value = new byte[0];
  private long digest = FNV_OFFSET;

  /** A replaced value longer than this is shown in results by its length. */
  private static final int SHOWN_BYTES = 64;

  @Override
  public byte[] apply(long index, byte[] command) {
    byte[] previous = value.length <= SHOWN_BYTES ? value
        : ("<" + value.length + " bytes>").getBytes(StandardCharsets.US_ASCII);
    value = command; // a command is immutable (the log's own): kept, not copied
    digest = fold(fold(digest, index), command);
    String hex = Long.toHexString(digest);
    byte[] suffix = ("#" + "0".repeat(16 - hex.length()) + hex).getBytes(StandardCharsets.US_ASCII);
    byte[] result = Arrays.copyOf(previous, previous.length + suffix.length);
    System.arraycopy(suffix, 0, result, previous.length, suffix.length);
    return result;
  }

  /** FNV-1a over the eight bytes of {@code v}, continuing {@code h}. */
  private static long fold(long h, long v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      h = (h ^ ((v >>> shift) & 0xff)) * FNV_PRIME;
    }
    return h;
  }

  /**
   * FNV-1a over the length and the bytes of {@code bytes}, continuing {@code h}: eight bytes at a
   * time, then the rest one by one, so that megabyte commands cost little.
   */
  private static long fold(long h, byte[] bytes) {
    h = fold(h, bytes.length);
    int words = bytes.length / Long.BYTES;
    for (int i = 0; i < words; i++) {
      h = (h ^ (long) LONGS.get(bytes, i * Long.BYTES)) * FNV_PRIME;
    }
    for (int i = words * Long.BYTES; i < bytes.length; i++) {
      h = (h ^ (bytes[i] & 0xff)) * FNV_PRIME;
    }
    return h;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
          java.nio.ByteOrder.LITTLE_ENDIAN);

  @Override
  public byte[] query(byte[] query) {
    return value;
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(value.length);
    d.write(value);
    d.writeLong(digest);
    d.flush();
  }

  @Override
  public void restore(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    byte[] v = new byte[d.readInt()];
    d.readFully(v);
    value = v;
    digest = d.readLong();
  }
}
