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
import java.util.LinkedHashMap;
import java.util.TreeMap;

/**
 * What a leader remembers of the commands followers forwarded to it in its term, so that a
 * duplicated or late copy is never appended twice: per sender, the index each request was appended
 * at, and how far the sender has settled its requests.
 *
 * <p>A sender numbers its requests upwards from a random epoch in the high 32 bits, a new one per
 * incarnation (drawn in {@code NodeParts} when the node is built), and tells with every forward
 * below which id its requests are settled. Per epoch, the leader forgets the requests below that mark and drops any copy of one,
 * so what it keeps is bounded by what the senders still wait for, however late a copy comes.
 */
final class Forwards {
  /** Incarnations of one sender remembered at a time; the oldest is forgotten beyond it. */
  private static final int EPOCHS = 8;

  private static final class Epoch {
    long settledBelow;
    final TreeMap<Long, Long> appended = new TreeMap<>();
  }

  /** Per sender, by epoch, in the order first seen (an older incarnation is forgotten first). */
  private final TreeMap<NodeId, LinkedHashMap<Long, Epoch>> senders = new TreeMap<>();

  /**
   * Returns the index {@code requestId} was appended at, 0 if it was not, or -1 if its sender has
   * settled it (a late copy, to be dropped unanswered); first takes note of {@code settledBelow}.
   */
  long indexOf(NodeId from, long requestId, long settledBelow) {
    LinkedHashMap<Long, Epoch> epochs = senders.get(from);
    Epoch e = epochs == null ? null : epochs.get(requestId >>> 32);
    if (e == null) {
      return 0;
    }
    settle(e, settledBelow);
    if (requestId < e.settledBelow) {
      return -1;
    }
    return e.appended.getOrDefault(requestId, 0L);
  }

  /** Records that {@code requestId} of {@code from} was appended at {@code index}. */
  void remember(NodeId from, long requestId, long settledBelow, long index) {
    LinkedHashMap<Long, Epoch> epochs = senders.computeIfAbsent(from, k -> new LinkedHashMap<>());
    Epoch e = epochs.computeIfAbsent(requestId >>> 32, k -> new Epoch());
    settle(e, settledBelow);
    e.appended.put(requestId, index);
    if (epochs.size() > EPOCHS) {
      epochs.remove(epochs.keySet().iterator().next());
    }
  }

  private static void settle(Epoch e, long settledBelow) {
    if (settledBelow > e.settledBelow) {
      e.settledBelow = settledBelow;
      e.appended.headMap(settledBelow).clear();
    }
  }
}
