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
import dev.floe.raft.message.ReadIndexRequest;
import dev.floe.raft.message.ReadIndexResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Linearizable reads (ReadIndex, thesis §6.4) and lease reads (§6.4.1) on a leader, for one term:
 * the reads waiting for the term's first commit, those waiting for a majority to confirm a round
 * started after they arrived, and whether the lease holds. Reads on other nodes are forwarded to
 * the leader or refused ({@link #route}).
 */
final class Reads {
  private record PendingRead(long requestId, NodeId origin, long readIndex, long round) {}

  private final RaftState s;
  private final ArrayDeque<PendingRead> awaitingCommit = new ArrayDeque<>();
  private final ArrayDeque<PendingRead> awaitingQuorum = new ArrayDeque<>();
  /**
   * Whether this leader told a node to campaign at once (TimeoutNow) in this term. That message may
   * arrive at any time, even after the transfer was given up, and the election it starts does not
   * wait for leases to end; so from then on this leader serves no read from its lease.
   */
  private boolean leaseForfeited;

  Reads(RaftState s) {
    this.s = s;
  }

  /** A read asked of this node, by itself or by {@code origin}: the leader serves it. */
  static void request(RaftState s, Leadership leadership, long requestId, NodeId origin) {
    if (leadership != null) {
      leadership.requestRead(requestId, origin);
    } else {
      route(s, requestId, origin);
    }
  }

  /** A lease read: served at once while the leader's lease holds, else as a ReadIndex read. */
  static void leaseRead(RaftState s, Leadership leadership, long requestId) {
    if (leadership != null && leadership.leaseValid()) {
      s.out.answer(new Outcome.ReadIndexReady(requestId, s.commitIndex));
    } else {
      request(s, leadership, requestId, s.self);
    }
  }

  /** The leader's answer to a read this node asked of it. */
  static void onResponse(RaftState s, ReadIndexResponse r) {
    s.out.answer(r.accepted()
        ? new Outcome.ReadIndexReady(r.requestId(), r.readIndex())
        : new Outcome.Rejected(r.requestId(), Outcome.Refusal.NOT_LEADER, r.leaderHint(),
            "the leader refused the read"));
  }

  /** A read on a node that does not lead: ask the leader for this node's own read, else refuse. */
  private static void route(RaftState s, long requestId, NodeId origin) {
    if (origin.equals(s.self) && s.leader != null) {
      s.out.send(new ReadIndexRequest(s.self, s.leader, s.term, requestId));
    } else {
      refuse(s, requestId, origin, Outcome.Refusal.NOT_LEADER, "not the leader");
    }
  }

  static void refuse(RaftState s, long requestId, NodeId origin, Outcome.Refusal refusal,
      String reason) {
    if (origin.equals(s.self)) {
      s.out.answer(new Outcome.Rejected(requestId, refusal, s.leader, reason));
    } else {
      s.out.send(new ReadIndexResponse(s.self, origin, s.term, requestId, false, 0, s.leader));
    }
  }

  static void grant(RaftState s, long requestId, NodeId origin, long readIndex) {
    if (origin.equals(s.self)) {
      s.out.answer(new Outcome.ReadIndexReady(requestId, readIndex));
    } else {
      s.out.send(new ReadIndexResponse(s.self, origin, s.term, requestId, true, readIndex, s.self));
    }
  }

  /**
   * Whether a read may wait for a round: until its no-op commits, a new leader does not know the
   * latest commit index, so the read waits for that first ({@link #drainAwaitingCommit}).
   */
  boolean deferUntilCommitted(long requestId, NodeId origin) {
    if (s.committedInTerm()) {
      return false;
    }
    awaitingCommit.add(new PendingRead(requestId, origin, 0, 0));
    return true;
  }

  /** Reads deferred until the term's first commit, in order; empties the queue. */
  List<Deferred> drainAwaitingCommit() {
    List<Deferred> out = new ArrayList<>(awaitingCommit.size());
    PendingRead r;
    while ((r = awaitingCommit.poll()) != null) {
      out.add(new Deferred(r.requestId(), r.origin()));
    }
    return out;
  }

  /** A read that waited for the term's first commit. */
  record Deferred(long requestId, NodeId origin) {}

  /** The read waits for a majority to confirm {@code round}, which started after it arrived. */
  void awaitQuorum(long requestId, NodeId origin, long readIndex, long round) {
    awaitingQuorum.add(new PendingRead(requestId, origin, readIndex, round));
  }

  /** Grants, in order, the reads whose round a majority has confirmed. */
  void serveConfirmed(long confirmedRound) {
    while (!awaitingQuorum.isEmpty() && awaitingQuorum.peek().round() <= confirmedRound) {
      PendingRead r = awaitingQuorum.poll();
      grant(s, r.requestId(), r.origin(), r.readIndex());
    }
  }

  void forfeitLease() {
    leaseForfeited = true;
  }

  /**
   * Whether the leader's lease holds (thesis §6.4.1): a majority answered a round that started less
   * than {@link CoreConfig#leaseNanos()} ago by this node's clock. Followers that heard from this
   * leader ignore vote requests for a minimum election timeout after (check-quorum), and so does a
   * node that restarted, so no other leader can exist before the lease ends. It never holds during
   * a transfer, nor for the rest of the term once a TimeoutNow was sent, since its target is told
   * to campaign without waiting.
   *
   * @param confirmedRoundStartNanos when the round a majority answered last started, or null
   */
  boolean leaseValid(boolean transferring, Long confirmedRoundStartNanos) {
    if (!s.config.checkQuorum() || transferring || leaseForfeited || !s.committedInTerm()) {
      return false;
    }
    return confirmedRoundStartNanos != null
        && s.now() - confirmedRoundStartNanos < s.config.leaseNanos();
  }

  /** Leadership ended: every pending read is refused. */
  void refuseAll() {
    for (PendingRead r : awaitingCommit) {
      refuse(s, r.requestId(), r.origin(), Outcome.Refusal.LEADERSHIP_LOST, "leadership was lost");
    }
    for (PendingRead r : awaitingQuorum) {
      refuse(s, r.requestId(), r.origin(), Outcome.Refusal.LEADERSHIP_LOST, "leadership was lost");
    }
    awaitingCommit.clear();
    awaitingQuorum.clear();
  }
}
