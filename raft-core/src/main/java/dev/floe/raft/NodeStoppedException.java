package dev.floe.raft;

/**
 * The node is closed, or stopped taking part after a storage failure (the cause): it takes no
 * requests and never acknowledges anything that is not durable.
 */
public class NodeStoppedException extends FloeException {
  /**
   * Creates the exception.
   *
   * @param message what was stopped
   * @param cause why the node stopped, or {@code null} if it was closed
   */
  public NodeStoppedException(String message, Throwable cause) {
    super(message, cause);
  }
}
