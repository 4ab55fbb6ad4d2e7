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
package dev.floe.raft.sim;

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.ForwardRequest;
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.Transport;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * A simulated network: each message is delayed by a random time (so messages reorder), and may be
 * dropped or duplicated; links can be cut in either direction. A few messages may be held far
 * longer than an election timeout (a congested route, a retransmission after a stall), then
 * delivered.
 *
 * <p>Links have a bandwidth: a message occupies its link for its size over the bandwidth, and the
 * messages sent on a link meanwhile wait their turn, so a large AppendEntries delays what follows
 * it. As with Floe's Netty transport, each pair of nodes has two lanes: bulk data (AppendEntries
 * with entries, snapshot chunks, forwarded commands over 64 KiB) travels on a lane of its own, so
 * heartbeats, votes and answers never wait behind it; and a bulk lane with more than its
 * write-buffer limit queued refuses further bulk messages (Raft resends them), as the transport
 * drops what exceeds a connection's high water mark.
 */
final class SimNetwork {
  /** Above this many bytes a forwarded command travels on the bulk lane (as with Netty). */
  static final int LARGE_FORWARD_BYTES = 64 * 1024;
  /** What a message's header and framing cost on the wire, in bytes, besides its payload. */
  private static final long MESSAGE_OVERHEAD_BYTES = 64;

  private final Scheduler scheduler;
  private final TreeMap<NodeId, Consumer<RaftMessage>> receivers = new TreeMap<>();
  /** The cluster each node's transport was started in: the handshake that a real transport runs. */
  private final TreeMap<NodeId, ClusterId> clusters = new TreeMap<>();
  long refusedForCluster;
  private final Set<String> cutLinks = new HashSet<>();
  long minDelayMicros = 100;
  long maxDelayMicros = 2_000;
  double dropRate;
  double duplicateRate;
  /** The chance that a message is held long, and for how long (uniformly in between). */
  double longDelayRate;
  long longDelayMinMicros = 1_000_000;
  long longDelayMaxMicros = 5_000_000;
  long sent;
  long dropped;
  long duplicated;
  long longDelayed;
  /** Each link's bandwidth, in bytes per second of virtual time. */
  long bytesPerSecond = 125_000_000;
  /** Whether bulk data has a lane of its own (as with Floe's transport), or shares the control one. */
  boolean separateBulkLane = true;
  /** How many bytes a bulk lane may have queued before it refuses bulk messages. */
  long bulkHighWaterMarkBytes = 8L << 20;
  /** Bulk messages refused because their lane had more than its limit queued. */
  long bulkRefused;
  /** When each lane of each link is free again (virtual micros): from, to, then 0 control, 1 bulk. */
  private final TreeMap<NodeId, TreeMap<NodeId, long[]>> busyUntilMicros = new TreeMap<>();
  /** The latest virtual time at which a message held long is due. */
  private long longDelaysDueMicros;

  SimNetwork(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /**
   * The transport of one incarnation of a node.
   *
   * @param receiving runs each delivery to the node: the node's process reading its socket, which
   *     it does not while paused
   */
  Transport transport(NodeId id, Consumer<Runnable> receiving) {
    return new Transport() {
      private boolean open;

      @Override
      public void start(ClusterId clusterId, NodeId self, Consumer<RaftMessage> inbound) {
        open = true;
        clusters.put(self, clusterId);
        receivers.put(self, m -> receiving.accept(() -> inbound.accept(m)));
      }

      @Override
      public void send(RaftMessage message) {
        if (open) {
          SimNetwork.this.send(message);
        }
      }

      @Override
      public void close() {
        if (open) {
          open = false;
          receivers.remove(id);
        }
      }
    };
  }

  /** The node is down: its receiver is gone until its next incarnation starts its transport. */
  void detach(NodeId id) {
    receivers.remove(id);
  }

  void cut(NodeId from, NodeId to) {
    cutLinks.add(from + ">" + to);
  }

  void isolate(NodeId id, Iterable<NodeId> others) {
    for (NodeId o : others) {
      if (!o.equals(id)) {
        cut(id, o);
        cut(o, id);
      }
    }
  }

  void healAll() {
    cutLinks.clear();
  }

  boolean isCut(NodeId from, NodeId to) {
    return cutLinks.contains(from + ">" + to);
  }

  /** When every message held long so far has been delivered (virtual micros). */
  long longDelaysDueMicros() {
    return longDelaysDueMicros;
  }

  private void send(RaftMessage m) {
    sent++;
    RandomGenerator r = scheduler.random();
    if (isCut(m.from(), m.to()) || r.nextDouble() < dropRate) {
      dropped++;
      return;
    }
    long transmitted = transmit(m);
    if (transmitted < 0) {
      bulkRefused++;
      return;
    }
    deliverLater(m, r, transmitted);
    if (r.nextDouble() < duplicateRate) {
      duplicated++;
      deliverLater(m, r, transmitted);
    }
  }

  /**
   * Puts the message on its lane: it is on the wire once what was queued before it is, for its
   * size over the bandwidth.
   *
   * @return how long from now until it is transmitted (micros), or -1 if its bulk lane is full
   */
  private long transmit(RaftMessage m) {
    int lane = separateBulkLane && isBulk(m) ? 1 : 0;
    long[] busy = busyUntilMicros.computeIfAbsent(m.from(), k -> new TreeMap<>())
        .computeIfAbsent(m.to(), k -> new long[2]);
    long now = scheduler.nowMicros();
    long queuedMicros = Math.max(0, busy[lane] - now);
    if (lane == 1 && queuedMicros * (double) bytesPerSecond / 1e6 > bulkHighWaterMarkBytes) {
      return -1;
    }
    long micros = (long) (sizeInBytes(m) * 1e6 / bytesPerSecond);
    busy[lane] = now + queuedMicros + micros;
    return queuedMicros + micros;
  }

  /** Whether the message carries bulk data (which Floe's transport sends on its bulk lane). */
  static boolean isBulk(RaftMessage m) {
    if (m instanceof AppendRequest a) {
      return !a.entries().isEmpty();
    }
    if (m instanceof InstallSnapshotRequest) {
      return true;
    }
    return m instanceof ForwardRequest f && f.command().length > LARGE_FORWARD_BYTES;
  }

  /** About the message's size on the wire: its payload and a fixed overhead. */
  static long sizeInBytes(RaftMessage m) {
    long payload = 0;
    if (m instanceof AppendRequest a) {
      for (LogEntry e : a.entries()) {
        payload += e.sizeInBytes();
      }
    } else if (m instanceof InstallSnapshotRequest s) {
      payload = s.chunk().length + s.configuration().length;
    } else if (m instanceof ForwardRequest f) {
      payload = f.command().length;
    }
    return MESSAGE_OVERHEAD_BYTES + payload;
  }

  private void deliverLater(RaftMessage m, RandomGenerator r, long transmitMicros) {
    long delay = transmitMicros + minDelayMicros
        + r.nextLong(maxDelayMicros - minDelayMicros + 1);
    if (longDelayRate > 0 && r.nextDouble() < longDelayRate) {
      longDelayed++;
      delay = transmitMicros
          + longDelayMinMicros + r.nextLong(longDelayMaxMicros - longDelayMinMicros + 1);
      longDelaysDueMicros = Math.max(longDelaysDueMicros, scheduler.nowMicros() + delay);
    }
    scheduler.schedule(delay, () -> {
      Consumer<RaftMessage> receiver = receivers.get(m.to());
      if (receiver == null || isCut(m.from(), m.to())) {
        return;
      }
      if (!java.util.Objects.equals(clusters.get(m.from()), clusters.get(m.to()))) {
        refusedForCluster++; // the handshake refuses a node of another cluster
        return;
      }
      receiver.accept(m);
    });
  }
}
