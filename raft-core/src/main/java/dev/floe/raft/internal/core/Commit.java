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

/**
 * The leader's commit rule (Raft §5.3, §5.4.2 and Figure 8): an entry is committed once a majority
 * of the voters holds it durably, counting replicas only for an entry of the leader's own term;
 * entries of earlier terms commit with it, never on their own.
 */
final class Commit {
  private Commit() {}

  /**
   * Advances the commit index to what a majority holds, if that entry is of this term.
   *
   * @param quorumMatch the highest index a majority of the voters holds durably
   * @return whether the commit index moved
   */
  static boolean advance(RaftState s, long quorumMatch) {
    if (quorumMatch > s.commitIndex && s.log.term(quorumMatch) == s.term) {
      s.commitIndex = quorumMatch;
      return true;
    }
    return false;
  }
}
