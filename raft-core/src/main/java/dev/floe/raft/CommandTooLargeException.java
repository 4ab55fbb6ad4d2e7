package dev.floe.raft;

/**
 * A command is larger than {@link RaftOptions#maxCommandBytes()}: it was refused at {@code submit},
 * before anything was replicated. Split it, or raise the limit (and the transport's with it).
 */
public class CommandTooLargeException extends FloeException {
  /**
   * Creates the exception.
   *
   * @param message the command's size and the limit it exceeds
   */
  public CommandTooLargeException(String message) {
    super(message);
  }
}
