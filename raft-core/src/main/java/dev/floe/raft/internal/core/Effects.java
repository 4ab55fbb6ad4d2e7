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
import dev.floe.raft.message.RaftMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * The one output buffer of the core: every handler writes what it decided here (messages to send,
 * answers to requests, work for the storage and the snapshot transfer), and {@link RaftCore#ready()}
 * hands it over as a {@link Ready}. Handlers never call each other to have something done; they
 * write it here. The order of writes is the order the driver carries them out.
 */
final class Effects {
  private List<RaftMessage> messages = new ArrayList<>();
  private List<RaftMessage> afterPersist = new ArrayList<>();
  private List<Outcome> outcomes = new ArrayList<>();
  private List<Ready.SnapshotTarget> snapshotsToSend = new ArrayList<>();
  private List<InstallSnapshotRequest> snapshotChunks = new ArrayList<>();
  private List<RoleChange> roleChanges = new ArrayList<>();
  /** If not 0, the store drops its whole log first so that its next entry is at this index. */
  private long resetLogTo;
  /** If not 0, the store may drop its entries up to this index. */
  private long compactUpTo;

  /** A message that may leave at once. */
  void send(RaftMessage m) {
    messages.add(m);
  }

  /** A message that may leave only once everything written so far is durable. */
  void sendAfterPersist(RaftMessage m) {
    afterPersist.add(m);
  }

  /** The answer to a request made through an {@link Event}. */
  void answer(Outcome o) {
    outcomes.add(o);
  }

  /** A follower needs the latest snapshot streamed to it, in replication session {@code session}. */
  void streamSnapshot(NodeId to, long session) {
    snapshotsToSend.add(new Ready.SnapshotTarget(to, session));
  }

  /** A snapshot chunk from the leader, to be written and, when complete, installed. */
  void installChunk(InstallSnapshotRequest chunk) {
    snapshotChunks.add(chunk);
  }

  /** This node changed its role or term. */
  void roleChanged(RoleChange change) {
    roleChanges.add(change);
  }

  /** The store must drop its whole log so that the next entry is at {@code nextIndex}. */
  void resetLog(long nextIndex) {
    resetLogTo = nextIndex;
  }

  /** The store may drop its entries up to {@code index}, which a snapshot covers. */
  void compactLog(long index) {
    compactUpTo = index;
  }

  /** Hands everything written since the last call over in a {@link Ready}, with the log's part. */
  Ready drain(dev.floe.raft.spi.TermAndVote termAndVote, long truncateFrom,
      List<dev.floe.raft.message.LogEntry> entries,
      List<dev.floe.raft.message.LogEntry> committedEntries) {
    Ready ready = new Ready(resetLogTo, termAndVote, truncateFrom, entries, given(messages),
        given(afterPersist), committedEntries, given(outcomes), compactUpTo,
        given(snapshotsToSend), given(snapshotChunks), given(roleChanges));
    resetLogTo = 0;
    compactUpTo = 0;
    // A list handed over is replaced by one of its size; an empty one is kept (and List.of() goes
    // out instead): most drains fill only one or two of them, and this runs for every batch.
    snapshotsToSend = fresh(snapshotsToSend);
    snapshotChunks = fresh(snapshotChunks);
    roleChanges = fresh(roleChanges);
    messages = fresh(messages);
    afterPersist = fresh(afterPersist);
    outcomes = fresh(outcomes);
    return ready;
  }

  private static <T> List<T> given(List<T> list) {
    return list.isEmpty() ? List.of() : list;
  }

  private static <T> List<T> fresh(List<T> handedOver) {
    return handedOver.isEmpty() ? handedOver : new ArrayList<>(handedOver.size());
  }
}
