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

import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.AppendResponse;

/**
 * How a follower takes the leader's AppendEntries (Raft §5.3), once the core has settled the roles
 * and the term: the consistency check at {@code prevLogIndex}, the entries stored (the matching
 * prefix skipped, the log truncated only at a real conflict), the commit index adopted, and the
 * answer, which confirms new entries only once they are durable.
 *
 * <p>A heartbeat (no entries) at a point the leader has committed claims nothing that is not
 * durable on a majority already, so it is answered at once rather than after this node's pending
 * writes: a follower busy forcing a large batch to a slow disk still shows the leader, within a
 * round trip, that it follows (check-quorum, ReadIndex rounds and leases count on that).
 */
final class FollowerLog {
  private FollowerLog() {}

  static void accept(RaftState s, AppendRequest a) {
    long prev = a.prevLogIndex();
    if (prev > s.log.lastIndex()) {
      reject(s, a, 0, s.log.lastIndex() + 1);
      return;
    }
    if (prev >= s.log.baseIndex() && s.log.term(prev) != a.prevLogTerm()) {
      long conflictTerm = s.log.term(prev);
      reject(s, a, conflictTerm, Math.max(s.log.firstIndexOfTermAt(prev), s.commitIndex + 1));
      return;
    }
    s.log.appendFromLeader(prev, a.entries(), s.commitIndex);
    long lastNew = a.lastIndex();
    // Only what this request confirms may be committed here: the log beyond it may hold stale
    // entries of an older term.
    long newCommit = Math.min(a.leaderCommit(), lastNew);
    if (newCommit > s.commitIndex) {
      s.commitIndex = newCommit;
    }
    AppendResponse accepted =
        AppendResponse.accepted(s.self, a.from(), s.term, lastNew, s.log.lastIndex(), a.round());
    if (a.entries().isEmpty() && prev <= a.leaderCommit()) {
      s.out.send(accepted);
      return;
    }
    if (a.entries().isEmpty()) {
      // A heartbeat beyond the commit index: answer at once for what is committed (that confirms
      // contact and the round, which check-quorum and reads count), so that a slow disk with
      // writes queued cannot silence this follower for longer than an election timeout.
      s.out.send(AppendResponse.accepted(s.self, a.from(), s.term, a.leaderCommit(),
          s.log.lastIndex(), a.round()));
    }
    s.out.sendAfterPersist(accepted); // it confirms entries only once they are durable here
  }

  private static void reject(RaftState s, AppendRequest a, long conflictTerm, long conflictIndex) {
    s.out.send(AppendResponse.rejected(s.self, a.from(), s.term, a.prevLogIndex(), conflictTerm,
        conflictIndex, s.log.lastIndex(), a.round()));
  }
}
