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

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.TermAndVote;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The cluster a scenario drives: {@link ScenarioNode}s over one clock and a network that holds
 * every message sent until the scenario delivers or drops it, and prints what happens.
 *
 * <p>After every event it drains the node's {@link Ready}s, printing each effect on a line of its
 * own ({@code n1: send ...}), and carries them out as the driver does: the writes are durable at
 * once, messages go to the network (those to the node itself are stepped back in), snapshot
 * transfers travel as one chunk, committed entries are applied and reported back.
 *
 * <p>It checks after each command what must hold whatever the scenario: at most one leader per
 * term, no two different entries applied at one index anywhere, and every running node's store
 * holding exactly its core's log.
 */
final class ScenarioCluster {
  private final CoreConfig config;
  private final long seed;
  private final TreeMap<NodeId, ScenarioNode> nodes = new TreeMap<>();
  /** Every message sent and not yet delivered or dropped, in the order sent. */
  private final List<RaftMessage> inFlight = new ArrayList<>();
  /** The partition each node is in, if the network is split; unlisted nodes are together. */
  private final TreeMap<NodeId, Integer> partition = new TreeMap<>();
  /** Links cut in both directions, each as "a b" with {@code a < b}. */
  private final java.util.TreeSet<String> cutLinks = new java.util.TreeSet<>();
  private final TreeMap<Long, NodeId> leaders = new TreeMap<>();
  private final TreeMap<Long, LogEntry> appliedAnywhere = new TreeMap<>();
  private final List<String> out = new ArrayList<>();
  private String indent = "";
  /** The one clock of every node, read by their cores (leases, the refusal to vote). */
  private long nowNanos;

  ScenarioCluster(CoreConfig config, long seed) {
    this.config = config;
    this.seed = seed;
  }

  CoreConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- output

  void print(String line) {
    out.add(indent + line);
  }

  /** The lines printed since the last call. */
  List<String> takeOutput() {
    List<String> lines = List.copyOf(out);
    out.clear();
    return lines;
  }

  // ---------------------------------------------------------------- nodes

  /** The initial durable state of a founding node. */
  record Founder(NodeId id, TermAndVote termAndVote, List<LogEntry> log) {}

  /** Starts the founding members, each a voter of the founding configuration. */
  void found(List<Founder> founders) {
    Configuration bootstrap = Configuration.ofVoters(founders.stream().map(Founder::id).toList());
    for (Founder f : founders) {
      if (nodes.containsKey(f.id())) {
        throw new IllegalArgumentException(f.id() + " exists already");
      }
      nodes.put(f.id(), new ScenarioNode(f.id(), bootstrap, f.termAndVote(), f.log()));
    }
    founders.forEach(f -> start(node(f.id())));
  }

  /** Starts a node with an empty store and no membership; one that exists is wiped first. */
  void join(NodeId id) {
    ScenarioNode n = new ScenarioNode(id, Configuration.empty(), TermAndVote.INITIAL, List.of());
    ScenarioNode old = nodes.put(id, n);
    if (old != null) {
      n.starts = old.starts;
    }
    start(n);
  }

  /**
   * The node stops; what its store holds stays, its state machine's memory and the messages on
   * their way to it are lost (those it sent may still arrive).
   */
  void crash(NodeId id) {
    running(id).core = null;
    for (RaftMessage m : List.copyOf(inFlight)) {
      if (m.to().equals(id)) {
        drop(m);
      }
    }
  }

  /** The node starts again from its store. */
  void restart(NodeId id) {
    ScenarioNode n = node(id);
    if (n.up()) {
      crash(id);
    }
    start(n);
  }

  private void start(ScenarioNode n) {
    long mix = Objects.hash(seed, n.id.value(), n.starts);
    n.start(config, new SplittableRandom(mix), () -> nowNanos);
    drain(n);
  }

  ScenarioNode node(NodeId id) {
    ScenarioNode n = nodes.get(id);
    if (n == null) {
      throw new IllegalArgumentException("no node " + id);
    }
    return n;
  }

  ScenarioNode running(NodeId id) {
    ScenarioNode n = node(id);
    if (!n.up()) {
      throw new IllegalArgumentException(id + " is down");
    }
    return n;
  }

  Collection<ScenarioNode> nodes() {
    return nodes.values();
  }

  // ---------------------------------------------------------------- time

  /** One tick's length passes and {@code id} ticks. */
  void tick(NodeId id) {
    nowNanos += config.tickNanos();
    step(id, new Event.Tick());
  }

  /** One tick's length passes and every running node ticks, in id order. */
  void tickAll() {
    nowNanos += config.tickNanos();
    for (ScenarioNode n : List.copyOf(nodes.values())) {
      if (n.up()) {
        step(n.id, new Event.Tick());
      }
    }
  }

  /** Time passes on the clock, without any node ticking (a paused process). */
  void elapse(long ticks) {
    nowNanos += ticks * config.tickNanos();
  }

  // ---------------------------------------------------------------- network

  /** Splits the network: each group reaches only its own members (unlisted nodes form one). */
  void partition(List<List<NodeId>> groups) {
    partition.clear();
    for (int i = 0; i < groups.size(); i++) {
      for (NodeId id : groups.get(i)) {
        partition.put(id, i + 1);
      }
    }
  }

  /** Cuts the link between two nodes, both ways; every other link stays. */
  void cut(NodeId a, NodeId b) {
    cutLinks.add(link(a, b));
  }

  private static String link(NodeId a, NodeId b) {
    return a.compareTo(b) < 0 ? a + " " + b : b + " " + a;
  }

  /** Every partition and cut link heals. */
  void heal() {
    partition.clear();
    cutLinks.clear();
  }

  private String lossNote(RaftMessage m) {
    String why = m.to().equals(m.from()) ? null : cut(m);
    return why == null ? "" : " (lost: " + why + ")";
  }

  private String cut(RaftMessage m) {
    ScenarioNode to = nodes.get(m.to());
    if (to == null) {
      return "no node " + m.to();
    }
    if (!to.up()) {
      return m.to() + " is down";
    }
    if (partition.getOrDefault(m.from(), 0).intValue()
        != partition.getOrDefault(m.to(), 0).intValue()) {
      return "partitioned";
    }
    if (cutLinks.contains(link(m.from(), m.to()))) {
      return "link cut";
    }
    return null;
  }

  /** The messages in flight that match {@code which}, oldest first. */
  List<RaftMessage> inFlight(Predicate<RaftMessage> which) {
    return inFlight.stream().filter(which).toList();
  }

  /** Removes a message in flight without delivering it. */
  void drop(RaftMessage m) {
    remove(m);
    print("dropped " + ScenarioFormat.message(m));
  }

  /** Sends a copy of a message in flight: it arrives after everything sent so far. */
  void duplicate(RaftMessage m) {
    inFlight.add(m);
    print("duplicated " + ScenarioFormat.message(m));
  }

  /** Delivers a message in flight, unless the network or the receiver's state prevents it. */
  void deliver(RaftMessage m) {
    remove(m);
    String why = cut(m);
    if (why != null) {
      print(ScenarioFormat.message(m) + " (dropped: " + why + ")");
      return;
    }
    print(ScenarioFormat.message(m));
    String outer = indent;
    indent = outer + "  ";
    try {
      step(m.to(), new Event.Receive(m));
    } finally {
      indent = outer;
    }
  }

  private void remove(RaftMessage m) {
    for (int i = 0; i < inFlight.size(); i++) {
      if (inFlight.get(i) == m) {
        inFlight.remove(i);
        return;
      }
    }
    throw new IllegalArgumentException("not in flight: " + m);
  }

  // ---------------------------------------------------------------- driving

  /** Steps an event into a running node and carries out its effects. */
  void step(NodeId id, Event event) {
    ScenarioNode n = running(id);
    n.core.step(event);
    drain(n);
  }

  private void drain(ScenarioNode n) {
    for (int i = 0; i < 10_000; i++) {
      if (!n.up()) {
        return;
      }
      Ready r = n.core.ready();
      if (r.isEmpty()) {
        return;
      }
      ScenarioFormat.ready(r, this::lossNote).forEach(line -> print(n.id + ": " + line));
      carryOut(n, r);
    }
    throw new AssertionError(n.id + " never stops producing effects");
  }

  private void carryOut(ScenarioNode n, Ready r) {
    r.roleChanges().forEach(c -> checkOneLeader(n.id, c));
    n.campaigns += r.roleChanges().stream().filter(c -> c.role() == Role.CANDIDATE).count();
    n.persist(r);
    r.messages().forEach(this::send);
    List<RaftMessage> toSelf = new ArrayList<>();
    for (RaftMessage m : r.messagesAfterPersist()) {
      if (m.to().equals(n.id)) {
        toSelf.add(m);
      } else {
        send(m);
      }
    }
    r.snapshotsToSend().forEach(t -> streamSnapshot(n, t));
    toSelf.forEach(m -> n.core.step(new Event.Receive(m)));
    for (InstallSnapshotRequest chunk : r.snapshotChunks()) {
      n.install(chunk);
      n.core.step(new Event.SnapshotInstalled(chunk.snapshotIndex(), chunk.snapshotTerm(),
          chunk.configuration()));
    }
    if (!r.committedEntries().isEmpty()) {
      r.committedEntries().forEach(e -> checkAppliedOnce(n.id, e));
      n.apply(r.committedEntries());
      n.core.step(new Event.Applied(n.appliedIndex));
    }
  }

  /** Sends a message: lost if its receiver is down or cut off now, else in flight. */
  private void send(RaftMessage m) {
    if (m.to().equals(m.from())) {
      node(m.to()).core.step(new Event.Receive(m));
    } else if (cut(m) == null) {
      inFlight.add(m);
    }
  }

  /** The driver streams the latest snapshot; here it travels as one chunk. */
  private void streamSnapshot(ScenarioNode leader, Ready.SnapshotTarget target) {
    ScenarioNode.Snapshot s = leader.snapshot;
    if (s == null) {
      print(leader.id + ": no snapshot to send to " + target.to());
      return;
    }
    inFlight.add(new InstallSnapshotRequest(leader.id, target.to(), leader.core.term(), s.index(),
        s.term(), s.configuration(), 0, s.data(), true, target.round()));
  }

  // ---------------------------------------------------------------- snapshots

  /**
   * The node's state machine snapshots its applied state, and the core is told that it is durable
   * and that the log may be compacted up to {@code trailing} entries behind it.
   */
  void takeSnapshot(NodeId id, long trailing) {
    ScenarioNode n = running(id);
    long term = n.core.log().term(n.appliedIndex);
    ScenarioNode.Snapshot s = n.takeSnapshot(term);
    print(id + ": snapshot " + s.index() + "@" + s.term() + " "
        + ScenarioFormat.configuration(s.membership()) + " of "
        + ScenarioFormat.commands(n.applied));
    step(id, new Event.SnapshotTaken(s.index(), s.term(), Math.max(0, s.index() - trailing)));
  }

  // ---------------------------------------------------------------- invariants

  private void checkOneLeader(NodeId id, RoleChange c) {
    if (c.role() == Role.LEADER) {
      NodeId other = leaders.putIfAbsent(c.term(), id);
      if (other != null && !other.equals(id)) {
        throw new AssertionError("two leaders in term " + c.term() + ": " + other + " and " + id);
      }
    }
  }

  private void checkAppliedOnce(NodeId id, LogEntry e) {
    LogEntry other = appliedAnywhere.putIfAbsent(e.index(), e);
    if (other != null && !other.equals(e)) {
      throw new AssertionError(id + " applies " + e + " where another node applied " + other);
    }
  }

  /** Checks that every running node's store holds its core's log (it may keep older entries). */
  void checkStores() {
    for (ScenarioNode n : nodes.values()) {
      if (!n.up()) {
        continue;
      }
      RaftLog log = n.core.log();
      List<LogEntry> core = log.range(log.firstIndex(), log.lastIndex());
      List<LogEntry> stored = n.storedLog().stream()
          .filter(e -> e.index() >= log.firstIndex()).toList();
      if (!stored.equals(core) || n.storedFirstIndex() > log.firstIndex()) {
        throw new AssertionError(n.id + ": the store holds " + ScenarioFormat.entries(stored)
            + " from " + n.storedFirstIndex() + ", the core " + ScenarioFormat.entries(core));
      }
    }
  }
}
