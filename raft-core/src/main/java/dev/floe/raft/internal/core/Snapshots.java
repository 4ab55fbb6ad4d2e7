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
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.InstallSnapshotResponse;

/**
 * Snapshots and compaction (Raft §7) as the core sees them: the latest durable snapshot, which a
 * follower behind the log's base is sent; compacting the log once a snapshot of the applied state
 * is durable; and, on a follower, installing one received from the leader. The bytes themselves
 * never pass through the core: the driver streams and writes them.
 */
final class Snapshots {
  private final RaftState s;
  /** The latest durable snapshot (0 if none): what a follower behind the log's base is sent. */
  private long latestIndex;
  /** The replication session of the last chunk passed on for installing, echoed when installed. */
  private long installingSession;

  Snapshots(RaftState s, long latestIndex) {
    this.s = s;
    this.latestIndex = latestIndex;
  }

  /** The latest durable snapshot's index (0 if none). */
  long latestIndex() {
    return latestIndex;
  }

  /** A snapshot of the applied state is durable: the log may be compacted behind it. */
  void onTaken(Event.SnapshotTaken t) {
    latestIndex = Math.max(latestIndex, t.index());
    long upTo = Math.min(t.compactUpTo(), Math.min(t.index(), s.appliedIndex));
    if (upTo > s.log.baseIndex()) {
      s.log.compactTo(upTo);
      s.out.compactLog(upTo);
    }
  }

  /** A chunk from the leader this node follows (roles already settled by the core). */
  void onChunk(InstallSnapshotRequest r) {
    if (r.snapshotIndex() <= s.commitIndex) {
      // Everything it covers is committed here already: nothing to install.
      s.out.send(new InstallSnapshotResponse(
          s.self, r.from(), s.term, r.snapshotIndex(), 0, true, r.round()));
      return;
    }
    installingSession = r.round();
    s.out.installChunk(r);
  }

  /**
   * A snapshot from the leader is durable and the state machine holds its state: the log up to
   * its index is replaced, and the leader is told once that is durable too.
   */
  void onInstalled(long index, long term, Configuration configuration) {
    if (index <= s.commitIndex) {
      return;
    }
    if (s.log.term(index) == term) {
      s.log.compactTo(index); // the log already continues the snapshot: keep what follows (§7)
      s.out.compactLog(index);
    } else {
      // A snapshot without a recorded configuration (an older format) keeps the one in effect.
      s.log.resetTo(index, term, configuration.isEmpty() ? s.configuration() : configuration);
      s.out.resetLog(index + 1);
    }
    s.commitIndex = index;
    s.appliedIndex = index;
    s.handedToApplyIndex = index;
    latestIndex = index;
    if (s.leader != null) {
      s.out.sendAfterPersist(new InstallSnapshotResponse(
          s.self, s.leader, s.term, index, 0, true, installingSession));
    }
  }
}
