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

import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.ForwardRequest;
import dev.floe.raft.message.ForwardResponse;
import dev.floe.raft.message.LogEntry;
import java.util.List;

/**
 * Client commands: a leader appends them (unless a transfer is under way); a follower forwards
 * them to the leader it knows, which appends each forwarded command once however often it arrives,
 * and answers with its index; a node that knows no leader refuses them.
 */
final class Proposals {
  private final RaftState s;
  private final LeadershipTransfer transfer;

  Proposals(RaftState s, LeadershipTransfer transfer) {
    this.s = s;
    this.transfer = transfer;
  }

  /**
   * Commands submitted on this node.
   *
   * @param leadership this node's leadership, or {@code null} if it does not lead
   */
  void propose(List<Event.Proposal> proposals, long settledBelow, Leadership leadership) {
    if (leadership != null) {
      String refusal = transfer.refusal();
      for (Event.Proposal p : proposals) {
        if (refusal != null) {
          s.out.answer(new Outcome.Rejected(
              p.requestId(), Outcome.Refusal.TRANSFER_IN_PROGRESS, s.self, refusal));
        } else if (overBacklog()) {
          s.out.answer(new Outcome.Rejected(p.requestId(), Outcome.Refusal.OVERLOADED, s.self,
              "the leader has " + uncommittedBytes() + " bytes of entries not yet committed, the"
                  + " most it keeps (" + maxUncommittedBytes() + "); retry later"));
        } else {
          long index = append(p.type(), p.command(), leadership);
          s.out.answer(new Outcome.ProposalAccepted(p.requestId(), index, s.term));
        }
      }
      return;
    }
    for (Event.Proposal p : proposals) {
      if (s.leader != null) {
        s.out.send(new ForwardRequest(s.self, s.leader, s.term, p.requestId(), p.command(),
            settledBelow, p.type()));
      } else {
        s.out.answer(new Outcome.Rejected(
            p.requestId(), Outcome.Refusal.NO_LEADER, null, "no leader is known"));
      }
    }
  }

  /** A command forwarded by a follower: appended once, answered with its index, or refused. */
  void onForward(ForwardRequest f, Leadership leadership) {
    // Sent to the leader of another term: a delayed or duplicated copy must not append twice.
    boolean refused = leadership == null || transfer.refusal() != null || f.term() != s.term;
    long index = refused ? 0 : leadership.forwards().indexOf(f.from(), f.requestId(),
        f.settledBelow());
    if (refused || (index == 0 && overBacklog())) {
      s.out.send(ForwardResponse.refused(s.self, f.from(), s.term, f.requestId(), s.leader));
      return;
    }
    if (index < 0) {
      return; // a late copy of a request its sender has settled: it waits for no answer
    }
    if (index == 0) {
      index = append(f.type(), f.command(), leadership);
      leadership.forwards().remember(f.from(), f.requestId(), f.settledBelow(), index);
    }
    s.out.send(ForwardResponse.accepted(s.self, f.from(), s.term, f.requestId(), index, s.term));
  }

  /** The leader's answer to a command this node forwarded. */
  void onForwardResponse(ForwardResponse f) {
    s.out.answer(f.accepted()
        ? new Outcome.ProposalAccepted(f.requestId(), f.index(), f.entryTerm())
        : new Outcome.Rejected(
            f.requestId(), Outcome.Refusal.NOT_LEADER, f.leaderHint(), "the leader refused"));
  }

  /**
   * Whether the leader already holds {@link #maxUncommittedBytes} of uncommitted entries: the
   * backlog a slow follower or disk can build, and so what the cluster must move before a new
   * command commits after a fault heals, stays bounded (by that and one command). Below it, a
   * command is taken however large, so that as many of the largest commands as fit are in flight.
   */
  private boolean overBacklog() {
    return uncommittedBytes() >= maxUncommittedBytes();
  }

  /** The bytes of the leader's entries past the commit index. */
  private long uncommittedBytes() {
    return s.log.bytesAfter(s.commitIndex);
  }

  /** Two follower pipelines' worth: 64 MiB by default, four of the largest commands. */
  private long maxUncommittedBytes() {
    return 2 * s.config.maxInflightBytes();
  }

  private long append(EntryType type, byte[] command, Leadership leadership) {
    long index = s.log.lastIndex() + 1;
    LogEntry entry = new LogEntry(index, s.term, type, command);
    s.log.append(entry);
    leadership.replication().markAppended();
    return index;
  }
}
