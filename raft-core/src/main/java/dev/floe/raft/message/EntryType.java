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

/** What a log entry holds. The numeric codes are part of the wire and disk formats. */
public enum EntryType {
  /** A command submitted by a client, applied to the state machine; the payload is the command. */
  COMMAND(1),
  /** The empty entry a new leader appends to commit entries of earlier terms (Raft §5.4.2). */
  NOOP(2),
  /** A cluster configuration (members and learners); takes effect when appended. */
  CONFIGURATION(3),
  /**
   * A command submitted within a client session: the payload is the client id (8 bytes,
   * big-endian), the sequence number (8) and the command; the session table applies it once.
   */
  SESSION_COMMAND(4);

  /** The length of a {@link #SESSION_COMMAND}'s header: the client id and sequence number. */
  public static final int SESSION_HEADER_BYTES = 16;

  private final int code;

  EntryType(int code) {
    this.code = code;
  }

  /** {@return the stable numeric code used by the wire and disk formats} */
  public int code() {
    return code;
  }

  /**
   * Whether some type has the given code.
   *
   * @param code a numeric code, as read from the wire or the disk
   * @return whether it names an entry type
   */
  public static boolean isKnown(int code) {
    return code >= 1 && code <= 4;
  }

  /**
   * Returns the type with the given code.
   *
   * @param code a code returned by {@link #code()}
   * @return the type
   * @throws IllegalArgumentException if no type has that code
   */
  public static EntryType fromCode(int code) {
    return switch (code) {
      case 1 -> COMMAND;
      case 2 -> NOOP;
      case 3 -> CONFIGURATION;
      case 4 -> SESSION_COMMAND;
      default -> throw new IllegalArgumentException("unknown entry type code " + code);
    };
  }
}
