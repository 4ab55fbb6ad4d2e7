/*
 * Copyright The Floe authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.floe.raft;

import dev.floe.raft.internal.core.Outcome;

/**
 * The one place where the core's refusals become the exceptions a caller sees, by the kind of
 * request refused: what is retried elsewhere ({@link NotLeaderException}) and what failed for a
 * reason of its own (a transfer that did not happen, an impossible membership change).
 */
final class Failures {
  private Failures() {}

  /**
   * A refused submit or read had no effect: retry it, at the leader named if any, or later if the
   * leader was overloaded.
   */
  static FloeException ofSubmitOrRead(Outcome.Rejected r) {
    return r.refusal() == Outcome.Refusal.OVERLOADED ? new OverloadedException(r.detail())
        : new NotLeaderException(r.detail(), r.leaderHint());
  }

  /** A command over {@code maxCommandBytes}, refused before anything was replicated. */
  static FloeException tooLarge(int commandBytes, int maxCommandBytes) {
    return new CommandTooLargeException("a command of " + commandBytes + " bytes is larger than"
        + " maxCommandBytes (" + maxCommandBytes + " bytes); nothing was replicated");
  }

  static FloeException ofTransfer(Outcome.Rejected r) {
    return switch (r.refusal()) {
      case NOT_LEADER, NO_LEADER, LEADERSHIP_LOST -> new NotLeaderException(r.detail(), r.leaderHint());
      default -> new TransferFailedException("leadership transfer failed: " + r.detail());
    };
  }

  static FloeException ofMembershipChange(Outcome.Rejected r) {
    return switch (r.refusal()) {
      case IMPOSSIBLE_CHANGE -> new MembershipChangeRefusedException(r.detail());
      case CATCH_UP_TIMED_OUT -> new CatchUpTimeoutException(r.detail());
      default -> new NotLeaderException(r.detail(), r.leaderHint());
    };
  }
}
