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
package dev.floe.raft;

/** How fresh a {@link RaftNode#query} answer must be. */
public enum ReadConsistency {
  /**
   * Linearizable (ReadIndex, thesis §6.4): the leader confirms it still leads with a round of
   * heartbeats answered by a majority, and the query runs once this node has applied everything
   * committed before it was asked. Works on followers too, which ask the leader for the index.
   */
  LINEARIZABLE,
  /**
   * Served by the leader without a heartbeat round while its lease holds: a majority answered it
   * less than the minimum election timeout, less a tenth for clock drift, ago (followers ignore
   * vote requests for that long after hearing from it, with check-quorum on). Linearizable only if
   * the nodes' clocks advance at rates within that margin of each other; outside the lease, during
   * a transfer, on a follower, or with check-quorum off, it falls back to {@link #LINEARIZABLE}.
   */
  LEASE,
  /**
   * Served from this node's current state without any check: fast, possibly stale, available on
   * every node.
   */
  LOCAL
}
