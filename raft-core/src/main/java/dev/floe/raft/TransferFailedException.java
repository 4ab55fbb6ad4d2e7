package dev.floe.raft;

/**
 * A leadership transfer did not happen: its target did not take over within an election timeout,
 * another node took over, the target is not a voter, there is no other voter, or another transfer
 * was under way. The cluster is unchanged (this node, if it led, leads on).
 */
public class TransferFailedException extends FloeException {
  /**
   * Creates the exception.
   *
   * @param message which transfer failed, and why
   */
  public TransferFailedException(String message) {
    super(message);
  }
}
