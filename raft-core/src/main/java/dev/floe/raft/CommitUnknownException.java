package dev.floe.raft;

/**
 * The outcome of a submit is unknown: its leader lost leadership, or no answer came in time, before
 * the command was known to be committed. The command may or may not be applied. Retry it only if
 * applying it twice is harmless, or through a client session that deduplicates it.
 */
public class CommitUnknownException extends FloeException {
  /**
   * Creates the exception.
   *
   * @param message why the command's fate is unknown
   */
  public CommitUnknownException(String message) {
    super(message);
  }
}
