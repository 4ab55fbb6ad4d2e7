package dev.floe.raft;

/**
 * A membership change was refused because it cannot be made: removing the last voter, or promoting
 * a node that is not a learner. Nothing changed.
 */
public class MembershipChangeRefusedException extends FloeException {
  /**
   * Creates the exception.
   *
   * @param message which change was refused, and why
   */
  public MembershipChangeRefusedException(String message) {
    super(message);
  }
}
