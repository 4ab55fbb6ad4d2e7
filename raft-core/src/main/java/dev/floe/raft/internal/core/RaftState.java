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
import dev.floe.raft.cluster.Role;
import dev.floe.raft.spi.MonotonicClock;
import dev.floe.raft.spi.TermAndVote;

/**
 * The state every role and concern of the core shares, in the paper's vocabulary, and the effects
 * buffer they write to. Only {@link RaftCore} changes the role; the concerns read it.
 *
 * <p>Invariants: {@code appliedIndex <= commitIndex}; {@code handedToApplyIndex <= commitIndex};
 * {@code commitIndex} never decreases; {@code votedFor} is a vote of {@code term}.
 */
final class RaftState {
  final NodeId self;
  final CoreConfig config;
  final MonotonicClock clock;
  final RaftLog log;
  final Effects out = new Effects();

  long term;
  /** The candidate this node voted for in {@code term}, or {@code null}. */
  NodeId votedFor;
  Role role = Role.FOLLOWER;
  /** The leader of {@code term} if known, else {@code null}. */
  NodeId leader;
  long commitIndex;
  /** The highest index the state machine reported applied (never above {@code commitIndex}). */
  long appliedIndex;
  /** The highest index handed out in a {@link Ready} for applying. */
  long handedToApplyIndex;

  RaftState(NodeId self, CoreConfig config, MonotonicClock clock, RaftLog log, TermAndVote tv,
      long snapshotIndex) {
    this.self = self;
    this.config = config;
    this.clock = clock;
    this.log = log;
    this.term = tv.term();
    this.votedFor = tv.votedFor();
    this.commitIndex = snapshotIndex;
    this.appliedIndex = snapshotIndex;
    this.handedToApplyIndex = snapshotIndex;
  }

  /** The configuration in effect (the last in the log, committed or not; thesis §4.1). */
  Configuration configuration() {
    return log.configuration();
  }

  boolean isVoter(NodeId id) {
    return log.configuration().isVoter(id);
  }

  /**
   * Whether this node may stand for election: it is a voter of the configuration in effect, or of
   * the one before it while the change to the latest is not known to be committed. A leader that
   * appended its own removal and lost its leadership before the removal committed may hold the
   * most up-to-date log of the cluster: the others can then win no election without it, so it
   * must campaign (counting votes in its latest configuration, where it does not vote itself),
   * commit the change, and hand over as a removed leader does.
   */
  boolean mayCampaign() {
    return isVoter(self) || (log.configurationIndex() > commitIndex
        && log.previousConfiguration().isVoter(self));
  }

  /** Whether an entry of this term is committed (a new leader's no-op commits it). */
  boolean committedInTerm() {
    return log.term(commitIndex) == term;
  }

  long now() {
    return clock.nanos();
  }
}
