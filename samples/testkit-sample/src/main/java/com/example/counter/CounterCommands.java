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

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The binary format of the counter map's commands, queries and results. Every command starts with
 * a type byte; keys are UTF-8, preceded by their length (an unsigned 16-bit number); numbers are
 * 64-bit, big-endian.
 *
 * <pre>
 * command ADD      = 0x01 key delta              result: the counter's new value
 *         ADD_ALL  = 0x02 count:u32 (key delta)* result: the number of counters
 *         DELETE   = 0x03 key                    result: the counter's value before (0 if none)
 * query   GET      = 0x11 key                    answer: the counter's value (0 if none)
 *         TOTAL    = 0x12                        answer: the sum of all counters, their number
 * </pre>
 */
public final class CounterCommands {
  static final byte ADD = 0x01;
  static final byte ADD_ALL = 0x02;
  static final byte DELETE = 0x03;
  static final byte GET = 0x11;
  static final byte TOTAL = 0x12;
  /** What one entry of an ADD_ALL costs besides its key's bytes: the key's length and the delta. */
  public static final int ENTRY_OVERHEAD_BYTES = 2 + 8;
  /** What an ADD_ALL costs besides its entries: the type byte and the count. */
  public static final int ADD_ALL_HEADER_BYTES = 1 + 4;

  private CounterCommands() {}

  /** Adds {@code delta} (which may be negative) to the counter {@code key}. */
  public static byte[] add(String key, long delta) {
    return write(out -> {
      out.writeByte(ADD);
      writeKey(out, key);
      out.writeLong(delta);
    });
  }

  /** Adds each delta to its counter, in the order given, in one command. */
  public static byte[] addAll(Map<String, Long> deltas) {
    return write(out -> {
      out.writeByte(ADD_ALL);
      out.writeInt(deltas.size());
      for (Map.Entry<String, Long> e : deltas.entrySet()) {
        writeKey(out, e.getKey());
        out.writeLong(e.getValue());
      }
    });
  }

  /** Removes the counter {@code key}. */
  public static byte[] delete(String key) {
    return write(out -> {
      out.writeByte(DELETE);
      writeKey(out, key);
    });
  }

  /** Asks for the counter {@code key}. */
  public static byte[] get(String key) {
    return write(out -> {
      out.writeByte(GET);
      writeKey(out, key);
    });
  }

  /** Asks for the sum and the number of all counters. */
  public static byte[] total() {
    return new byte[] {TOTAL};
  }

  /** A 64-bit result or answer. */
  public static byte[] number(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }

  /** Reads a 64-bit result or answer. */
  public static long number(byte[] bytes) {
    return ByteBuffer.wrap(bytes).getLong();
  }

  /** The answer to TOTAL. */
  static byte[] total(long sum, long count) {
    return ByteBuffer.allocate(16).putLong(sum).putLong(count).array();
  }

  /** A command or query, read. */
  record Decoded(byte type, String key, long delta, Map<String, Long> deltas) {}

  /**
   * Reads a command or query.
   *
   * @throws IllegalArgumentException if it is not one this format knows, naming what is wrong
   */
  static Decoded decode(byte[] bytes) {
    if (bytes.length == 0) {
      throw new IllegalArgumentException("an empty command");
    }
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
      byte type = in.readByte();
      Decoded d = switch (type) {
        case ADD -> new Decoded(type, readKey(in), in.readLong(), null);
        case ADD_ALL -> {
          int count = in.readInt();
          Map<String, Long> deltas = new LinkedHashMap<>();
          for (int i = 0; i < count; i++) {
            deltas.merge(readKey(in), in.readLong(), Long::sum);
          }
          yield new Decoded(type, null, 0, deltas);
        }
        case DELETE, GET -> new Decoded(type, readKey(in), 0, null);
        case TOTAL -> new Decoded(type, null, 0, null);
        default -> throw new IllegalArgumentException("unknown command type " + type);
      };
      if (in.available() > 0) {
        throw new IllegalArgumentException(in.available() + " bytes after the command");
      }
      return d;
    } catch (IOException e) {
      throw new IllegalArgumentException("a truncated command of " + bytes.length + " bytes", e);
    }
  }

  static void writeKey(DataOutputStream out, String key) throws IOException {
    byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > 0xFFFF) {
      throw new IllegalArgumentException("a key of " + utf8.length + " bytes (at most 65535)");
    }
    out.writeShort(utf8.length);
    out.write(utf8);
  }

  static String readKey(DataInputStream in) throws IOException {
    byte[] utf8 = new byte[in.readUnsignedShort()];
    in.readFully(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] write(Writer writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }
}
