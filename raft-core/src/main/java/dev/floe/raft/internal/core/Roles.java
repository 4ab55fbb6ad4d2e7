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
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.TimeoutNow;
import dev.floe.raft.message.VoteRequest;
import dev.floe.raft.message.VoteResponse;

/**
 * Which role this node holds and the moves between them (Raft §5.2): a follower campaigns (after
 * a pre-vote, if on), a candidate that wins leads and appends its term's no-op, and any role falls
 * back to follower on a higher term, a lost campaign, or a step-down. Each move is reported as a
 * {@link RoleChange}. The leader's state for its term ({@link Leadership}) lives from the moment
 * it wins until it steps down.
 */
final class Roles {
  private final RaftState s;
  private final Election election;
  private final Snapshots snapshots;
  private final LeadershipTransfer transfer;
  /** Non-null while leading. */
  private Leadership leadership;

  Roles(RaftState s, Election election, Snapshots snapshots, LeadershipTransfer transfer) {
    this.s = s;
    this.election = election;
    this.snapshots = snapshots;
    this.transfer = transfer;
  }

  /** The leader's state for its term while this node leads, else {@code null}. */
  Leadership leadership() {
    return leadership;
  }

  void becomeFollower(long newTerm, NodeId newLeader, RoleChange.Reason reason) {
    boolean changed = s.role != Role.FOLLOWER || newTerm != s.term;
    if (leadership != null) {
      // The new leader is known before the old one's pending requests are refused, so that their
      // refusals send clients to it rather than back to this node.
      s.leader = newLeader;
      leadership.stepDown(newLeader);
      leadership = null;
    }
    if (newTerm != s.term) {
      s.term = newTerm;
      s.votedFor = null;
    }
    s.role = Role.FOLLOWER;
    election.end();
    setLeader(newLeader);
    election.resetTimer();
    if (changed) {
      s.out.roleChanged(new RoleChange(Role.FOLLOWER, s.term, newLeader, reason));
    }
  }

  void setLeader(NodeId newLeader) {
    s.leader = newLeader;
    if (newLeader != null) {
      transfer.leaderKnown(newLeader);
    }
  }

  void campaign(boolean preVote, boolean leadershipTransfer, RoleChange.Reason reason) {
    s.role = Role.CANDIDATE;
    s.leader = null;
    if (!preVote) {
      s.term++;
      s.votedFor = s.self;
    }
    s.out.roleChanged(new RoleChange(Role.CANDIDATE, s.term, null, reason));
    onTally(election.start(preVote, leadershipTransfer));
  }

  void onTally(VoteTally.Result result) {
    if (result == VoteTally.Result.WON) {
      if (election.preVoting()) {
        campaign(false, false, RoleChange.Reason.PRE_VOTE_WON);
      } else {
        becomeLeader();
      }
    } else if (result == VoteTally.Result.LOST) {
      becomeFollower(s.term, null, RoleChange.Reason.ELECTION_LOST);
    }
  }

  private void becomeLeader() {
    s.role = Role.LEADER;
    election.end();
    setLeader(s.self);
    leadership = new Leadership(s, snapshots, transfer);
    s.out.roleChanged(new RoleChange(Role.LEADER, s.term, s.self, RoleChange.Reason.ELECTION_WON));
    // A no-op of the new term lets earlier entries commit (§5.4.2) and gates reads and transfers.
    s.log.append(LogEntry.noop(s.log.lastIndex() + 1, s.term));
    leadership.replication().broadcastAppend();
  }

  /**
   * A message of a higher term: this node adopts the term and follows (its sender, if that is the
   * leader), unless the message may not depose a leader that holds a lease.
   *
   * @return whether to go on handling the message
   */
  boolean adoptTerm(RaftMessage m) {
    if (m instanceof VoteRequest v) {
      if (election.heldOffByLease(v)) {
        return false;
      }
      if (!v.preVote()) {
        becomeFollower(m.term(), null, RoleChange.Reason.HIGHER_TERM);
      }
    } else if (!(m instanceof VoteResponse r && r.preVote() && r.granted())) {
      // (A granted pre-vote carries the term the candidate would campaign in: adopt nothing.)
      boolean fromLeader = m instanceof AppendRequest || m instanceof InstallSnapshotRequest
          || m instanceof TimeoutNow;
      becomeFollower(m.term(), fromLeader ? m.from() : null, RoleChange.Reason.HIGHER_TERM);
    }
    return true;
  }
}
