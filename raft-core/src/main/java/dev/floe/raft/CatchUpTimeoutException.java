package dev.floe.raft;

/**
 * A voter could not be added (or a learner promoted) because the learner did not catch up with the
 * leader within {@link RaftOptions#learnerCatchUpTimeoutMillis()}: it stays a learner. Asking
 * again later promotes it once it has caught up.
 */
public class CatchUpTimeoutException extends MembershipChangeRefusedException {
  /**
   * Creates the exception.
   *
   * @param message which learner did not catch up, and for how long it was given
   */
  public CatchUpTimeoutException(String message) {
    super(message);
  }
}
