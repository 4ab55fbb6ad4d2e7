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
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.TermAndVote;
import java.util.List;

/**
 * The effects of the events stepped since the last {@link RaftCore#ready()}, to be carried out by
 * the driver in this order:
 *
 * <ol>
 *   <li>write to the store: {@code truncateFrom} (if not 0), then {@code entries}, then {@code
 *       termAndVote} (if not null), then ask it to sync;
 *   <li>send {@code messages} at once;
 *   <li>send {@code messagesAfterPersist} only once everything written so far (by this and every
 *       earlier ready) is durable; those addressed to this node are stepped back into the core;
 *   <li>apply {@code committedEntries}, in order, off the event loop;
 *   <li>report {@code outcomes} to whoever made the requests.
 * </ol>
 *
 * @param resetLogTo if not 0, the store must first drop its whole log so that the next entry is at
 *     this index (a snapshot from the leader replaced it)
 * @param termAndVote the term and vote to save, or {@code null} if unchanged
 * @param truncateFrom the index from which the store must drop its entries first, or 0
 * @param entries entries to append to the store
 * @param messages messages that may leave at once
 * @param messagesAfterPersist messages that may leave only once the writes are durable
 * @param committedEntries newly committed entries to apply
 * @param outcomes answers to requests
 * @param compactUpTo if not 0, the store may drop entries up to this index (a snapshot covers them)
 * @param snapshotsToSend followers that need the latest snapshot streamed to them, each with the
 *     replication round to put in the requests
 * @param snapshotChunks snapshot chunks received from the leader, to be written and installed
 * @param roleChanges the changes of this node's role or term, in order, for the driver to report
 */
public record Ready(
    long resetLogTo,
    TermAndVote termAndVote,
    long truncateFrom,
    List<LogEntry> entries,
    List<RaftMessage> messages,
    List<RaftMessage> messagesAfterPersist,
    List<LogEntry> committedEntries,
    List<Outcome> outcomes,
    long compactUpTo,
    List<SnapshotTarget> snapshotsToSend,
    List<InstallSnapshotRequest> snapshotChunks,
    List<RoleChange> roleChanges) {

  /** Whether the store has anything to write. */
  public boolean mustPersist() {
    return resetLogTo != 0 || termAndVote != null || truncateFrom != 0 || !entries.isEmpty()
        || compactUpTo != 0;
  }

  /** Whether there is nothing to do. */
  public boolean isEmpty() {
    return !mustPersist()
        && messages.isEmpty()
        && messagesAfterPersist.isEmpty()
        && committedEntries.isEmpty()
        && outcomes.isEmpty()
        && snapshotsToSend.isEmpty()
        && snapshotChunks.isEmpty()
        && roleChanges.isEmpty();
  }

  /** A follower to stream the latest snapshot to, in the leader's replication session {@code round}. */
  public record SnapshotTarget(NodeId to, long round) {}
}
