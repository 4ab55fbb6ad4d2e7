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
package dev.floe.raft.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of the replicated log.
 *
 * <p>Entries are immutable by contract: the payload array is not copied, and nobody may modify it
 * after the entry is built. Two entries are equal when index, term, type and payload bytes are.
 *
 * @param index the entry's position in the log, from 1
 * @param term the term of the leader that created it, from 1
 * @param type what the entry holds
 * @param data the payload: the command bytes, an encoded configuration, or empty for a no-op
 */
public record LogEntry(long index, long term, EntryType type, byte[] data) {
  private static final byte[] EMPTY = new byte[0];

  /**
   * Validates the entry.
   *
   * @param index the entry's log index, from 1
   * @param term the term it was created in
   * @param type what it holds
   * @param data its payload
   */
  public LogEntry {
    if (index < 1) {
      throw new IllegalArgumentException("index must be >= 1: " + index);
    }
    if (term < 1) {
      throw new IllegalArgumentException("term must be >= 1: " + term);
    }
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
  }

  /**
   * Returns a command entry.
   *
   * @param index the entry's log index
   * @param term the term it was created in
   * @param data the command
   * @return the entry
   */
  public static LogEntry command(long index, long term, byte[] data) {
    return new LogEntry(index, term, EntryType.COMMAND, data);
  }

  /**
   * Returns a no-op entry.
   *
   * @param index the entry's log index
   * @param term the term it was created in
   * @return the entry
   */
  public static LogEntry noop(long index, long term) {
    return new LogEntry(index, term, EntryType.NOOP, EMPTY);
  }

  /**
   * {@return whether the entry holds a command for the state machine, plain or within a session}
   */
  public boolean isCommand() {
    return type == EntryType.COMMAND || type == EntryType.SESSION_COMMAND;
  }

  /**
   * The application's command bytes, as submitted: a plain command's payload itself (not a copy),
   * a session command's after its session header.
   *
   * @return the command bytes; do not change them
   * @throws IllegalStateException if the entry holds no command, or a session command's payload
   *     is shorter than its header
   */
  public byte[] command() {
    if (type == EntryType.COMMAND) {
      return data;
    }
    if (type == EntryType.SESSION_COMMAND && data.length >= EntryType.SESSION_HEADER_BYTES) {
      return Arrays.copyOfRange(data, EntryType.SESSION_HEADER_BYTES, data.length);
    }
    throw new IllegalStateException(this + " holds no command");
  }

  /** {@return the payload size plus a fixed per-entry overhead, for byte-bounded batching} */
  public long sizeInBytes() {
    return data.length + 24L;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogEntry e
        && index == e.index
        && term == e.term
        && type == e.type
        && Arrays.equals(data, e.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, term, type) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "LogEntry[" + index + "@" + term + " " + type + " " + data.length + "B]";
  }
}
