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
