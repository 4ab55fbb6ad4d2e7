package dev.floe.raft.core;

import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import java.nio.ByteBuffer;
import java.util.Arrays;

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
  static final int SESSION_HEADER = 16;

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

  /** Whether the entry carries a command for the state machine. */
  public static boolean isCommand(LogEntry e) {
    return e.type() == EntryType.COMMAND || e.type() == EntryType.SESSION_COMMAND;
  }

  /**
   * The application's command bytes of a command entry: a plain command's payload as it is, a
   * session command's after its header.
   *
   * @throws IllegalArgumentException if the entry is no command, or a session command too short
   */
  public static byte[] command(LogEntry e) {
    if (e.type() == EntryType.COMMAND) {
      return e.data();
    }
    if (e.type() == EntryType.SESSION_COMMAND && e.data().length >= SESSION_HEADER) {
      return Arrays.copyOfRange(e.data(), SESSION_HEADER, e.data().length);
    }
    throw new IllegalArgumentException("entry " + e + " holds no command");
  }
}
