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
package dev.floe.raft.cluster;

/** The part a node plays in its current term. */
public enum Role {
  /** Follows a leader, or waits for one. */
  FOLLOWER,
  /** Campaigns for leadership (including the pre-vote phase, which changes no term). */
  CANDIDATE,
  /** Leads the cluster: takes proposals and replicates them. */
  LEADER,
  /**
   * Takes no part any more: the node failed (its storage failed, or an internal check found a
   * broken invariant) and stopped, so that it acknowledges nothing it cannot stand by. {@link
   * dev.floe.raft.RaftStatus#failure()} says why. Not a Raft role: the node must be restarted or
   * replaced.
   */
  STOPPED
}
