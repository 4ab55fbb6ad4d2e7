package dev.floe.raft;

/** The base of the exceptions with which Floe's futures fail. */
public class FloeException extends RuntimeException {
  public FloeException(String message) {
    super(message);
  }

  public FloeException(String message, Throwable cause) {
    super(message, cause);
  }
}
