package dev.floe.raft.core;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The layout of a command entry's payload: a one-byte header says whether the command belongs to
 * a client session, whose id and sequence number follow; then the application's command bytes.
 *
 * <pre>
 * plain:   0x00 | command...
 * session: 0x01 | clientId (8, big-endian) | sequence (8) | command...
 * </pre>
 */
public final class Commands {
  /** A command outside any session. */
  public static final byte PLAIN = 0;
  /** A command within a client session. */
  public static final byte SESSION = 1;
  private static final int SESSION_HEADER = 17;

  private Commands() {}

  /** Encodes a command outside any session. */
  public static byte[] plain(byte[] command) {
    byte[] out = new byte[command.length + 1];
    out[0] = PLAIN;
    System.arraycopy(command, 0, out, 1, command.length);
    return out;
  }

  /** Encodes a command within a session. */
  public static byte[] session(long clientId, long sequence, byte[] command) {
    return ByteBuffer.allocate(SESSION_HEADER + command.length)
        .put(SESSION).putLong(clientId).putLong(sequence).put(command).array();
  }

  /** Whether the payload is a session command. */
  public static boolean isSession(byte[] payload) {
    return payload.length >= SESSION_HEADER && payload[0] == SESSION;
  }

  /** The session's client id (for a session command). */
  public static long clientId(byte[] payload) {
    return ByteBuffer.wrap(payload, 1, 8).getLong();
  }

  /** The command's sequence number (for a session command). */
  public static long sequence(byte[] payload) {
    return ByteBuffer.wrap(payload, 9, 8).getLong();
  }

  /**
   * The application's command bytes.
   *
   * @throws IllegalArgumentException if the payload has no valid header
   */
  public static byte[] command(byte[] payload) {
    if (payload.length >= 1 && payload[0] == PLAIN) {
      return Arrays.copyOfRange(payload, 1, payload.length);
    }
    if (isSession(payload)) {
      return Arrays.copyOfRange(payload, SESSION_HEADER, payload.length);
    }
    throw new IllegalArgumentException("command entry without a valid header");
  }
}
