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
package dev.floe.raft.internal.core;

import dev.floe.raft.cluster.NodeId;
import java.util.SortedSet;

/**
 * A leadership transfer (thesis §3.10), from the request to its outcome. While this node leads,
 * the transfer brings the target up to date and then tells it to campaign at once (TimeoutNow);
 * proposals are refused meanwhile, and the transfer is given up after an election timeout. Once
 * this node stepped down (the target's election deposed it), the transfer waits to learn who leads
 * next: the target (done), another node, or nobody within an election timeout.
 *
 * <p>At most one transfer at a time. It outlives the leader's role, which is why {@link RaftCore}
 * owns it rather than the leader's state.
 */
final class LeadershipTransfer {
  private enum Phase {
    NONE,
    /** This node leads and brings the target up to date. */
    LEADING,
    /** This node stepped down and waits for the next leader to show itself. */
    AWAITING_LEADER
  }

  private final RaftState s;
  private Phase phase = Phase.NONE;
  private long requestId;
  private NodeId target;
  private int elapsedTicks;

  LeadershipTransfer(RaftState s) {
    this.s = s;
  }

  /** Whether this leader transfers its leadership now (and so takes no proposals). */
  boolean inProgress() {
    return phase == Phase.LEADING;
  }

  /** Whether {@code id} is the target of the transfer this leader is making. */
  boolean isTarget(NodeId id) {
    return phase == Phase.LEADING && id.equals(target);
  }

  NodeId target() {
    return target;
  }

  /** Why proposals are refused now, or {@code null} if they are taken. */
  String refusal() {
    return inProgress() ? "a leadership transfer to " + target + " is in progress" : null;
  }

  /**
   * Validates a request to a leader and, if it can go ahead, begins it.
   *
   * @param chosen the target, or the most up-to-date follower if none was named ({@code null}
   *     if there is none)
   * @return whether it began (otherwise it was answered)
   */
  boolean begin(long request, NodeId chosen, SortedSet<NodeId> voters) {
    if (inProgress()) {
      s.out.answer(new Outcome.Rejected(request, Outcome.Refusal.TRANSFER_FAILED, s.self,
          "a transfer to " + target + " is in progress"));
      return false;
    }
    if (chosen == null) {
      s.out.answer(new Outcome.Rejected(request, Outcome.Refusal.TRANSFER_FAILED, s.self,
          "there is no other voter to take over"));
      return false;
    }
    if (chosen.equals(s.self)) {
      s.out.answer(new Outcome.TransferCompleted(request, s.self));
      return false;
    }
    if (!voters.contains(chosen)) {
      s.out.answer(new Outcome.Rejected(request, Outcome.Refusal.TRANSFER_FAILED, s.self,
          chosen + " is not a voting member"));
      return false;
    }
    phase = Phase.LEADING;
    target = chosen;
    requestId = request;
    elapsedTicks = 0;
    return true;
  }

  /** A tick while leading: gives the transfer up after an election timeout. */
  void tickLeading() {
    if (phase == Phase.LEADING && ++elapsedTicks >= s.config.electionTicksMin()) {
      s.out.answer(new Outcome.Rejected(requestId, Outcome.Refusal.TRANSFER_FAILED, s.self,
          target + " did not take over within an election timeout"));
      clear();
    }
  }

  /** The membership changed: a target that is no voter any more ends the transfer. */
  void membershipChanged(SortedSet<NodeId> voters) {
    if (phase == Phase.LEADING && !voters.contains(target)) {
      s.out.answer(new Outcome.Rejected(requestId, Outcome.Refusal.TRANSFER_FAILED, s.self,
          target + " is no longer a voting member"));
      clear();
    }
  }

  /** This node stopped leading: a transfer under way now waits to learn who leads next. */
  void steppedDown() {
    if (phase == Phase.LEADING) {
      phase = Phase.AWAITING_LEADER;
      elapsedTicks = 0;
    }
  }

  /** A tick on a node that does not lead: gives up waiting after an election timeout. */
  void tickAwaiting() {
    if (phase == Phase.AWAITING_LEADER && ++elapsedTicks >= s.config.electionTicksMin()) {
      s.out.answer(new Outcome.Rejected(requestId, Outcome.Refusal.TRANSFER_FAILED, s.leader,
          "the transfer target did not take over in time"));
      clear();
    }
  }

  /** A leader became known: the outcome of a transfer that waited for it. */
  void leaderKnown(NodeId newLeader) {
    if (phase == Phase.AWAITING_LEADER) {
      s.out.answer(newLeader.equals(target)
          ? new Outcome.TransferCompleted(requestId, newLeader)
          : new Outcome.Rejected(requestId, Outcome.Refusal.TRANSFER_FAILED, newLeader,
              newLeader + " took over instead"));
      clear();
    }
  }

  private void clear() {
    phase = Phase.NONE;
    target = null;
  }
}
