package dev.floe.raft;

/** The base of the exceptions with which Floe's futures fail. */
public class FloeException extends RuntimeException {
  /**
   * Creates the exception.
   *
   * @param message what went wrong
   */
  public FloeException(String message) {
    super(message);
  }

  /**
   * Creates the exception.
   *
   * @param message what went wrong
   * @param cause the failure that caused it
   */
  public FloeException(String message, Throwable cause) {
    super(message, cause);
  }
}
