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

import dev.floe.raft.cluster.NodeId;
import java.util.Optional;

/**
 * The request was refused, with no effect on the replicated state: no leader is known, the leader
 * refused it (for example during a leadership transfer), or its entry was overwritten before it
 * committed. Retrying is safe.
 */
public class NotLeaderException extends FloeException {
  /** The leader the refusing node knew of, or {@code null}. */
  private final NodeId leaderHint;

  /**
   * Creates the exception.
   *
   * @param message why the node refused
   * @param leaderHint the leader it knows of, or {@code null} if none
   */
  public NotLeaderException(String message, NodeId leaderHint) {
    super(leaderHint == null ? message : message + " (leader: " + leaderHint + ")");
    this.leaderHint = leaderHint;
  }

  /** {@return the leader the refusing node knew of, if any: the place to retry} */
  public Optional<NodeId> leaderHint() {
    return Optional.ofNullable(leaderHint);
  }
}
