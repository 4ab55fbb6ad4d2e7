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
package dev.floe.raft.internal.core;

import dev.floe.raft.message.EntryType;
import java.nio.ByteBuffer;

/**
 * The payload of a {@link EntryType#SESSION_COMMAND} entry: the client id and the command's
 * sequence number in its session, then the application's command bytes. A plain {@link
 * EntryType#COMMAND} entry's payload is the command itself, not copied or wrapped.
 *
 * <pre>
 * session command: clientId (8, big-endian) | sequence (8) | command...
 * </pre>
 */
public final class Commands {
  private static final int SESSION_HEADER = EntryType.SESSION_HEADER_BYTES;

  private Commands() {}

  /** Encodes a command within a session. */
  public static byte[] session(long clientId, long sequence, byte[] command) {
    return ByteBuffer.allocate(SESSION_HEADER + command.length)
        .putLong(clientId).putLong(sequence).put(command).array();
  }

  /** The session's client id, from a session command's payload. */
  public static long clientId(byte[] sessionPayload) {
    return ByteBuffer.wrap(sessionPayload, 0, 8).getLong();
  }

  /** The command's sequence number, from a session command's payload. */
  public static long sequence(byte[] sessionPayload) {
    return ByteBuffer.wrap(sessionPayload, 8, 8).getLong();
  }
}
