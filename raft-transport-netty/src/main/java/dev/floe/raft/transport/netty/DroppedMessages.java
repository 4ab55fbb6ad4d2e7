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
package dev.floe.raft.transport.netty;

import dev.floe.raft.spi.MetricsSink;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The messages a transport dropped, counted by {@link Reason}; once {@linkplain #bind bound} to a
 * node's metrics sink, every drop is also reported there as {@code floe.transport.dropped} with
 * the tag {@code reason} (drops counted before that are carried over). Thread-safe; counting
 * never blocks.
 */
final class DroppedMessages {
  /** Why a message was dropped; its tag value is the name in lower case. */
  enum Reason {
    /** Outbound, to a node that is not a peer. */
    UNKNOWN_PEER,
    /** Outbound, to a peer that cannot be reached now: waiting to redial, or its connection broke. */
    UNREACHABLE,
    /** Outbound, to a peer whose connection (or its queue while connecting) is over the high mark. */
    WRITE_BUFFER_FULL,
    /** Outbound, larger than the maximum frame size. */
    OVERSIZED,
    /** Outbound, while the transport is not running, or to a peer being removed. */
    CLOSED,
    /** Inbound, whose sender is not the connection's peer or whose receiver is not this node. */
    WRONG_SENDER,
    /** Outbound, null or failing to be sent for another reason (logged). */
    FAILED;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final LongAdder[] counts = new LongAdder[Reason.values().length];
  private volatile MetricsSink.Counter[] bound;

  DroppedMessages() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  /** Counts one message dropped for {@code reason}. */
  void add(Reason reason) {
    add(reason, 1);
  }

  /** Counts {@code messages} (zero or more) dropped for {@code reason}. */
  void add(Reason reason, long messages) {
    if (messages <= 0) {
      return;
    }
    counts[reason.ordinal()].add(messages);
    MetricsSink.Counter[] c = bound;
    if (c != null) {
      c[reason.ordinal()].increment(messages);
    }
  }

  /** Returns how many messages were dropped, for every reason. */
  long total() {
    long sum = 0;
    for (LongAdder a : counts) {
      sum += a.sum();
    }
    return sum;
  }

  /** Returns how many messages were dropped for {@code reason}. */
  long count(Reason reason) {
    return counts[reason.ordinal()].sum();
  }

  /** Reports drops to {@code metrics} from now on, with {@code tags} (the node's) and the reason. */
  synchronized void bind(MetricsSink metrics, Map<String, String> tags) {
    MetricsSink.Counter[] c = new MetricsSink.Counter[counts.length];
    for (Reason r : Reason.values()) {
      Map<String, String> t = new HashMap<>(tags);
      t.put("reason", r.tag());
      c[r.ordinal()] = metrics.counter("floe.transport.dropped",
          "messages the transport dropped instead of sending or delivering, by reason",
          Map.copyOf(t));
      long before = counts[r.ordinal()].sum();
      if (before > 0) {
        c[r.ordinal()].increment(before);
      }
    }
    bound = c;
  }
}
