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
package dev.floe.raft.message;

import dev.floe.raft.cluster.NodeId;
import java.util.Arrays;
import java.util.Objects;

/**
 * One chunk of a snapshot streamed from the leader to a follower that is behind the leader's log
 * (Raft §7).
 *
 * @param from the leader
 * @param to the follower
 * @param term the leader's term
 * @param snapshotIndex the last log index the snapshot covers
 * @param snapshotTerm the term of the entry at {@code snapshotIndex}
 * @param configuration the encoded cluster configuration as of {@code snapshotIndex}
 * @param offset the byte offset of {@code chunk} in the snapshot
 * @param chunk the bytes at {@code offset}
 * @param done whether this is the last chunk
 * @param round the leader's replication session with this follower, echoed in the answer: answers
 *     from an earlier session (before the follower was removed and added again) are ignored
 */
public record InstallSnapshotRequest(
    NodeId from,
    NodeId to,
    long term,
    long snapshotIndex,
    long snapshotTerm,
    byte[] configuration,
    long offset,
    byte[] chunk,
    boolean done,
    long round)
    implements RaftMessage {

  @Override
  public boolean equals(Object o) {
    return o instanceof InstallSnapshotRequest r
        && from.equals(r.from)
        && to.equals(r.to)
        && term == r.term
        && snapshotIndex == r.snapshotIndex
        && snapshotTerm == r.snapshotTerm
        && Arrays.equals(configuration, r.configuration)
        && offset == r.offset
        && Arrays.equals(chunk, r.chunk)
        && done == r.done
        && round == r.round;
  }

  @Override
  public int hashCode() {
    return Objects.hash(from, to, term, snapshotIndex, offset) * 31 + Arrays.hashCode(chunk);
  }

  @Override
  public String toString() {
    return "InstallSnapshotRequest[" + from + "->" + to + " term=" + term + " snapshot="
        + snapshotIndex + "@" + snapshotTerm + " offset=" + offset + " chunk=" + chunk.length
        + "B done=" + done + " round=" + round + "]";
  }
}
