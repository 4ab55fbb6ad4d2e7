package dev.floe.raft;

/**
 * Too many requests are waiting for their outcome on this node; the request was refused at once and
 * has no effect. Slow down and retry.
 */
public class OverloadedException extends FloeException {
  /**
   * Creates the exception.
   *
   * @param message which limit was reached
   */
  public OverloadedException(String message) {
    super(message);
  }
}
