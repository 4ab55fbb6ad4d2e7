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
import dev.floe.raft.message.AppendResponse;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * A leader's heartbeat rounds for one term: every AppendEntries carries the round in which it was
 * sent, and a majority's answers to a round confirm this node's leadership as of the round's
 * start. ReadIndex reads wait for a round started after they arrived; the lease runs from the
 * start of the round a majority confirmed last (see {@link Reads}).
 */
final class Rounds {
  private final RaftState s;
  /** The followers' progress, shared with {@link Replication}: each one's answered round. */
  private final Map<NodeId, Progress> progress;
  private long current;
  /**
   * When (the node's clock) each recent round started: the start of the lease that a majority's
   * answers to the round grant. Round 0 starts when leadership does.
   */
  private final TreeMap<Long, Long> startNanos = new TreeMap<>();

  Rounds(RaftState s, Map<NodeId, Progress> progress) {
    this.s = s;
    this.progress = progress;
    startNanos.put(0L, s.now());
  }

  /** The round requests are sent in now. */
  long current() {
    return current;
  }

  /**
   * Starts a round; answers to requests of this round or later confirm leadership. Forgets the
   * start of rounds no voter can still confirm.
   */
  long next(SortedSet<NodeId> voters) {
    current++;
    startNanos.put(current, s.now());
    long oldestNeeded = current;
    for (NodeId v : voters) {
      if (!v.equals(s.self)) {
        oldestNeeded = Math.min(oldestNeeded, progress.get(v).ackedRound);
      }
    }
    startNanos.headMap(oldestNeeded).clear();
    return current;
  }

  /** The latest round a majority of the voters (this node included) has answered. */
  long confirmed(SortedSet<NodeId> voters) {
    long[] acked = new long[voters.size()];
    int i = 0;
    for (NodeId v : voters) {
      acked[i++] = v.equals(s.self) ? current : progress.get(v).ackedRound;
    }
    return Quorum.committedIndex(acked);
  }

  /** When the round a majority answered last started, or {@code null} if no longer known. */
  Long confirmedStartNanos(SortedSet<NodeId> voters) {
    return startNanos.get(confirmed(voters));
  }

  /** Notes the round an answer confirms; returns whether the follower confirmed a later one. */
  static boolean confirm(Progress p, AppendResponse r) {
    if (r.round() > p.ackedRound) {
      p.ackedRound = r.round();
      return true;
    }
    return false;
  }
}
