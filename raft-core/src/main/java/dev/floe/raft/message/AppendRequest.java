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
import java.util.List;

/**
 * AppendEntries (Raft §5.3), also used as a heartbeat when it carries no entries.
 *
 * @param from the leader
 * @param to the follower
 * @param term the leader's term
 * @param prevLogIndex index of the entry just before {@code entries}
 * @param prevLogTerm term of the entry at {@code prevLogIndex}
 * @param entries the entries to store, contiguous from {@code prevLogIndex + 1}; may be empty
 * @param leaderCommit the leader's commit index
 * @param round the leader's heartbeat round when this was sent; echoed in the response so that the
 *     leader can confirm its leadership for reads (ReadIndex)
 */
public record AppendRequest(
    NodeId from,
    NodeId to,
    long term,
    long prevLogIndex,
    long prevLogTerm,
    List<LogEntry> entries,
    long leaderCommit,
    long round)
    implements RaftMessage {

  /**
   * Keeps {@code entries} as it is if it is a {@link LogEntries}, and otherwise copies the list
   * (not the entries), so the record is immutable.
   *
   * @param from the leader
   * @param to the follower
   * @param term the leader's term
   * @param prevLogIndex the index of the entry just before the new ones
   * @param prevLogTerm the term of that entry
   * @param entries the entries to append, in index order (may be empty: a heartbeat)
   * @param leaderCommit the leader's commit index
   * @param round the request's round, echoed in the response
   */
  public AppendRequest {
    entries = LogEntries.copyOf(entries);
  }

  /** {@return the index of the last entry carried, or {@code prevLogIndex} if none} */
  public long lastIndex() {
    return prevLogIndex + entries.size();
  }
}
