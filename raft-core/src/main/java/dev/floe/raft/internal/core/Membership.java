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

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * Membership changes on a leader, for one term (thesis §4.1): single-server changes, queued and
 * proposed one at a time once the rules allow it, with a voter added as a learner first and
 * promoted only once it has caught up.
 */
final class Membership {
  /**
   * A requested change; {@code waitStartTick} is when it began waiting for catch-up, and {@code
   * learnerAppended} whether this leader appended the learner step of an ADD_VOTER.
   */
  private static final class PendingChange {
    final Event.ChangeMembership request;
    long waitStartTick = -1;
    boolean learnerAppended;

    PendingChange(Event.ChangeMembership request) {
      this.request = request;
    }
  }

  /**
   * A configuration entry to append for a change.
   *
   * @param next the configuration to append
   * @param requestId the request the change answers
   * @param learnerStep whether it is the learner step of an ADD_VOTER, which completes nothing yet
   */
  record Proposal(Configuration next, long requestId, boolean learnerStep) {}

  private final RaftState s;
  /** Changes waiting their turn: one is proposed at a time, in order. */
  private final ArrayDeque<PendingChange> changes = new ArrayDeque<>();

  Membership(RaftState s) {
    this.s = s;
  }

  void queue(Event.ChangeMembership request) {
    changes.add(new PendingChange(request));
  }

  /**
   * The next configuration entry to append, once the rules of single-server changes allow it: an
   * entry of this term is committed (so no change of an earlier leader is still pending), no
   * other change is uncommitted, and no transfer is under way. Changes that need no entry are
   * answered on the way.
   *
   * @param transferring whether a leadership transfer is under way
   * @param ticks ticks since this node became leader
   * @param progress each member's progress
   * @return the entry to append, or {@code null} if none may be appended now
   */
  Proposal next(boolean transferring, long ticks, Function<NodeId, Progress> progress) {
    while (!changes.isEmpty()) {
      if (transferring || !s.committedInTerm()
          || s.log.configurationIndex() > s.commitIndex) {
        return null;
      }
      PendingChange c = changes.peek();
      Event.ChangeMembership r = c.request;
      Configuration current = s.configuration();
      NodeId node = r.node();
      switch (r.kind()) {
        case ADD_LEARNER -> {
          changes.poll();
          if (current.contains(node) && current.address(node).orElse("").equals(r.address())) {
            s.out.answer(new Outcome.Unchanged(r.requestId()));
            continue;
          }
          return new Proposal(current.withLearner(node, r.address()), r.requestId(), false);
        }
        case ADD_VOTER, PROMOTE -> {
          if (current.isVoter(node)) {
            changes.poll();
            s.out.answer(new Outcome.Unchanged(r.requestId()));
            continue;
          }
          if (!current.isLearner(node)) {
            if (r.kind() == Event.MembershipChangeKind.PROMOTE) {
              changes.poll();
              s.out.answer(new Outcome.Rejected(r.requestId(), Outcome.Refusal.IMPOSSIBLE_CHANGE,
                  s.self, node + " is not a learner"));
              continue;
            }
            c.waitStartTick = ticks;
            c.learnerAppended = true;
            return new Proposal(current.withLearner(node, r.address()), r.requestId(), true);
          }
          if (c.waitStartTick < 0) {
            c.waitStartTick = ticks;
          }
          Progress p = progress.apply(node);
          if (p.state == Progress.State.REPLICATE
              && p.match + s.config.promoteWithinEntries() >= s.log.lastIndex()) {
            changes.poll();
            return new Proposal(current.withPromoted(node), r.requestId(), false);
          }
          if (ticks - c.waitStartTick < s.config.catchUpTicks()) {
            return null; // still catching up
          }
          changes.poll();
          s.out.answer(new Outcome.Rejected(r.requestId(), Outcome.Refusal.CATCH_UP_TIMED_OUT,
              s.self, node + " did not catch up within "
              + s.config.catchUpTicks() + " ticks (it has " + p.match + " of " + s.log.lastIndex()
              + "); it stays a learner"));
        }
        case REMOVE -> {
          changes.poll();
          if (!current.contains(node)) {
            s.out.answer(new Outcome.Unchanged(r.requestId()));
            continue;
          }
          if (current.isVoter(node) && current.voters().size() == 1) {
            s.out.answer(new Outcome.Rejected(r.requestId(), Outcome.Refusal.IMPOSSIBLE_CHANGE,
                s.self, "cannot remove the last voter"));
            continue;
          }
          return new Proposal(current.without(node), r.requestId(), false);
        }
        default -> throw new IllegalStateException("unknown change " + r.kind());
      }
    }
    return null;
  }

  /** Leadership ended: changes not yet proposed cannot be; those half done have unknown fate. */
  void abandonAll(NodeId newLeader) {
    for (PendingChange c : changes) {
      // A voter's learner step may be in the log already (and commit under the next leader).
      s.out.answer(c.learnerAppended
          ? new Outcome.Unknown(c.request.requestId(), "leadership was lost after " + c.request.node()
              + " was appended as a learner, before it was promoted: it may be a learner now")
          : new Outcome.Rejected(c.request.requestId(), Outcome.Refusal.LEADERSHIP_LOST,
              newLeader, "leadership was lost before the change was proposed"));
    }
    changes.clear();
  }

  /**
   * A leader that removed itself leads until the removal commits (counting only the new
   * configuration's voters), then hands over and steps down (thesis §4.2.2).
   */
  static boolean removedSelfCommitted(RaftState s) {
    return !s.configuration().isVoter(s.self) && s.commitIndex >= s.log.configurationIndex();
  }
}
