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
 * A client command that a follower forwards to the leader. The leader appends it and answers with
 * a {@link ForwardResponse} naming the index it was given; the follower reports success to its
 * client only once it has itself applied that index with that term.
 *
 * @param from the follower
 * @param to the leader
 * @param term the follower's term
 * @param requestId an id unique on the sender, echoed in the response
 * @param command the entry's payload
 * @param settledBelow every request of the sender with a lower id is settled there (answered, or
 *     given up on): the leader forgets them, and drops a late copy of one instead of appending it
 *     again
 */
public record ForwardRequest(
    NodeId from, NodeId to, long term, long requestId, byte[] command, long settledBelow,
    EntryType type)
    implements RaftMessage {

  /**
   * Checks the entry type: a command, plain or within a session.
   *
   * @param from the follower that took the submit
   * @param to the leader
   * @param term the sender's term
   * @param requestId the sender's id for the request, echoed in the response
   * @param command the payload to append
   * @param settledBelow every request of the sender below this id is answered: the leader may
   *     forget them
   * @param type the entry type: {@link EntryType#COMMAND} or {@link EntryType#SESSION_COMMAND}
   * @throws IllegalArgumentException if {@code type} is not a command type
   */
  public ForwardRequest {
    if (type != EntryType.COMMAND && type != EntryType.SESSION_COMMAND) {
      throw new IllegalArgumentException("a forwarded entry is a command, not " + type);
    }
  }

  /**
   * A plain command.
   *
   * @param from the follower that took the submit
   * @param to the leader
   * @param term the sender's term
   * @param requestId the sender's id for the request, echoed in the response
   * @param command the command to append
   * @param settledBelow every request of the sender below this id is answered: the leader may
   *     forget them
   */
  public ForwardRequest(NodeId from, NodeId to, long term, long requestId, byte[] command,
      long settledBelow) {
    this(from, to, term, requestId, command, settledBelow, EntryType.COMMAND);
  }

  /**
   * A plain command that tells the leader of no settled requests.
   *
   * @param from the follower that took the submit
   * @param to the leader
   * @param term the sender's term
   * @param requestId the sender's id for the request, echoed in the response
   * @param command the command to append
   */
  public ForwardRequest(NodeId from, NodeId to, long term, long requestId, byte[] command) {
    this(from, to, term, requestId, command, 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ForwardRequest r
        && from.equals(r.from)
        && to.equals(r.to)
        && term == r.term
        && requestId == r.requestId
        && settledBelow == r.settledBelow
        && type == r.type
        && Arrays.equals(command, r.command);
  }

  @Override
  public int hashCode() {
    return Objects.hash(from, to, term, requestId, settledBelow) * 31 + Arrays.hashCode(command);
  }

  @Override
  public String toString() {
    return "ForwardRequest[" + from + "->" + to + " term=" + term + " id=" + requestId + " "
        + type + " " + command.length + "B settledBelow=" + settledBelow + "]";
  }
}
