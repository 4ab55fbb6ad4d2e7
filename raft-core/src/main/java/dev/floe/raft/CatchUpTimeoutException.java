package dev.floe.raft;

/**
 * A voter could not be added (or a learner promoted) because the learner did not catch up with the
 * leader within {@link RaftOptions#learnerCatchUpTimeoutMillis()}: it stays a learner. Asking
 * again later promotes it once it has caught up.
 */
public class CatchUpTimeoutException extends MembershipChangeRefusedException {
  public CatchUpTimeoutException(String message) {
    super(message);
  }
}
