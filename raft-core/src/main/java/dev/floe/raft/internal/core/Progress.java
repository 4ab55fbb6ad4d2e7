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

import java.util.ArrayDeque;

/**
 * The leader's view of one follower's log (Raft's nextIndex and matchIndex), and the window of
 * AppendEntries in flight to it.
 *
 * <p>In {@code PROBE} state the leader sends one request at a time until it finds where the logs
 * match; in {@code REPLICATE} state it pipelines up to a window of requests, moving {@code next}
 * optimistically. Invariant: {@code match < next}; {@code match} never decreases.
 */
final class Progress {
  enum State {
    PROBE,
    REPLICATE,
    /** The follower needs entries the leader compacted: a snapshot is being streamed to it. */
    SNAPSHOT
  }

  long match;
  long next;
  /**
   * The leader's round when this replication session began: every request of the session carries
   * this round or a later one, so an answer with an earlier round belongs to an older session (the
   * follower was removed and added again) and is ignored.
   */
  final long sessionRound;
  State state = State.PROBE;
  /** In PROBE state: a request is out and no answer or heartbeat has come since. */
  boolean probeSent;
  /** Whether the follower answered since the last check-quorum round. */
  boolean recentActive;
  /** When (the node's clock) the follower last answered an AppendEntries of this session. */
  long lastAnswerNanos;
  /** The highest heartbeat round the follower answered in this term. */
  long ackedRound;
  /** The leader's round when {@code match} last grew; older requests' answers cannot lower it. */
  long matchRound;
  /** {@code match} at the last heartbeat tick, to detect a stalled pipeline. */
  long matchAtLastHeartbeat;
  /** Heartbeat intervals in a row in which entries were in flight and match did not grow. */
  int stalledHeartbeats;
  /**
   * The heartbeat round of the last request sent, and the commit index the follower can adopt from
   * it (the leader's commit, capped at the last index that request confirms).
   */
  /** In SNAPSHOT state: heartbeat intervals without an answer from the follower. */
  int snapshotSilentHeartbeats;
  long lastSentRound;
  long lastSentCommit;

  /** Last index of each request in flight, oldest first. */
  private final ArrayDeque<long[]> inflight = new ArrayDeque<>();
  private long inflightBytes;

  Progress(long next, long sessionRound) {
    this.next = next;
    this.sessionRound = sessionRound;
  }

  void becomeProbe() {
    state = State.PROBE;
    next = match + 1;
    probeSent = false;
    clearInflight();
  }

  void becomeSnapshot() {
    state = State.SNAPSHOT;
    probeSent = false;
    snapshotSilentHeartbeats = 0;
    clearInflight();
  }

  void becomeReplicate() {
    state = State.REPLICATE;
    next = match + 1;
    probeSent = false;
    clearInflight();
  }

  /** Records an acknowledgement up to {@code index}; returns whether {@code match} grew. */
  boolean acknowledge(long index) {
    boolean grew = index > match;
    if (grew) {
      match = index;
      next = Math.max(next, index + 1);
    }
    probeSent = false;
    while (!inflight.isEmpty() && inflight.peekFirst()[0] <= index) {
      inflightBytes -= inflight.pollFirst()[1];
    }
    return grew;
  }

  void addInflight(long lastIndex, long bytes) {
    inflight.addLast(new long[] {lastIndex, bytes});
    inflightBytes += bytes;
  }

  boolean inflightFull(int maxCount, long maxBytes) {
    return inflight.size() >= maxCount || inflightBytes >= maxBytes;
  }

  boolean hasInflight() {
    return !inflight.isEmpty();
  }

  /** The entry bytes in flight. */
  long inflightBytes() {
    return inflightBytes;
  }

  private void clearInflight() {
    inflight.clear();
    inflightBytes = 0;
  }

  @Override
  public String toString() {
    return state + "[match=" + match + " next=" + next + " inflight=" + inflight.size() + "]";
  }
}
