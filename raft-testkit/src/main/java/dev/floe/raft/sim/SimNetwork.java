package dev.floe.raft.sim;

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
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
 */
final class SimNetwork {
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

  private void send(RaftMessage m) {
    sent++;
    RandomGenerator r = scheduler.random();
    if (isCut(m.from(), m.to()) || r.nextDouble() < dropRate) {
      dropped++;
      return;
    }
    deliverLater(m, r);
    if (r.nextDouble() < duplicateRate) {
      duplicated++;
      deliverLater(m, r);
    }
  }

  private void deliverLater(RaftMessage m, RandomGenerator r) {
    long delay = minDelayMicros + r.nextLong(maxDelayMicros - minDelayMicros + 1);
    if (longDelayRate > 0 && r.nextDouble() < longDelayRate) {
      longDelayed++;
      delay = longDelayMinMicros + r.nextLong(longDelayMaxMicros - longDelayMinMicros + 1);
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
