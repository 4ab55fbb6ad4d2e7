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

import static org.assertj.core.api.Assertions.assertThat;

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.TermAndVote;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A hand-driven cluster of {@link RaftCore}s for tests.
 *
 * <p>After every event it drains the node's {@link Ready}: writes go to the node's {@link Stored}
 * state at once ("persist" is immediate), then {@code messages} and {@code messagesAfterPersist}
 * are queued for delivery; those addressed to the node itself are stepped straight back in.
 * Committed entries are recorded and reported back as applied. Nothing is delivered until a test
 * asks: {@link #deliverAll()}, {@link #deliverAll(Predicate)} or {@link #deliver(RaftMessage)}.
 * Messages from or to an isolated node are dropped when they are sent or delivered.
 */
final class TestNetwork {

  /** What a node's store holds: the durable term and vote and the log, as the Readys wrote them. */
  static final class Stored {
    TermAndVote termAndVote;
    final List<LogEntry> log = new ArrayList<>();

    Stored(TermAndVote termAndVote, List<LogEntry> log) {
      this.termAndVote = termAndVote;
      this.log.addAll(log);
    }
  }

  private final CoreConfig config;
  private final TreeSet<NodeId> voters = new TreeSet<>();
  private final TreeMap<NodeId, RaftCore> cores = new TreeMap<>();
  private final TreeMap<NodeId, Stored> stored = new TreeMap<>();
  private final TreeMap<NodeId, List<LogEntry>> applied = new TreeMap<>();
  private final TreeMap<NodeId, List<Outcome>> outcomes = new TreeMap<>();
  private final TreeMap<NodeId, List<Ready>> readies = new TreeMap<>();
  private final ArrayDeque<RaftMessage> inFlight = new ArrayDeque<>();
  /** Every message a node sent to another, in order, including those dropped. */
  private final List<RaftMessage> sent = new ArrayList<>();
  private final TreeSet<NodeId> isolated = new TreeSet<>();
  /** Nodes started without a membership, to be added while the cluster runs. */
  private final TreeSet<NodeId> joining = new TreeSet<>();
  private long seed;
  /** The one clock of every node: it advances a tick's length with each tick. */
  private long nowNanos;

  private TestNetwork(CoreConfig config, long seed) {
    this.config = config;
    this.seed = seed;
  }

  /** A cluster of empty nodes named {@code ids}. */
  static TestNetwork of(CoreConfig config, String... ids) {
    return of(config, 1, ids);
  }

  /** A cluster of empty nodes whose random sources are seeded from {@code seed} on. */
  static TestNetwork of(CoreConfig config, long seed, String... ids) {
    TestNetwork net = new TestNetwork(config, seed);
    for (String id : ids) {
      net.voters.add(NodeId.of(id));
    }
    for (NodeId id : net.voters) {
      net.start(id, TermAndVote.INITIAL, List.of());
    }
    return net;
  }

  /** A cluster whose nodes start from the given state; {@code logs} are entry terms from index 1. */
  static TestNetwork withLogs(CoreConfig config, long term, Map<String, long[]> logs) {
    TestNetwork net = new TestNetwork(config, 1);
    TreeMap<String, long[]> sorted = new TreeMap<>(logs);
    sorted.keySet().forEach(id -> net.voters.add(NodeId.of(id)));
    sorted.forEach((id, terms) -> net.start(NodeId.of(id), new TermAndVote(term, null), entries(terms)));
    return net;
  }

  /** Entries at indexes 1.. with the given terms (commands whose payload is their index). */
  static List<LogEntry> entries(long... terms) {
    List<LogEntry> out = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      out.add(LogEntry.command(i + 1, terms[i], new byte[] {(byte) (i + 1)}));
    }
    return out;
  }

  static CoreConfig classicConfig() {
    CoreConfig d = CoreConfig.defaults();
    return new CoreConfig(
        d.electionTicksMin(), d.electionTicksMax(), d.heartbeatTicks(), d.maxEntriesPerAppend(),
        d.maxBytesPerAppend(), d.maxInflightAppends(), d.maxInflightBytes(), false, false);
  }

  private void start(NodeId id, TermAndVote tv, List<LogEntry> log) {
    stored.put(id, new Stored(tv, log));
    Configuration bootstrap =
        joining.contains(id) ? Configuration.empty() : Configuration.ofVoters(voters);
    // Through the store, as the driver builds it: the core keeps only a tail of the log in
    // memory (nothing applied on a follower) and reads the rest back from what the node stored.
    Stored s = stored.get(id);
    EntryReader reader = (from, toExclusive, maxBytes) -> {
      List<LogEntry> out = new ArrayList<>();
      long bytes = 0;
      for (LogEntry e : s.log) {
        if (e.index() >= from && e.index() < toExclusive) {
          if (!out.isEmpty() && bytes + e.sizeInBytes() > maxBytes) {
            break;
          }
          bytes += e.sizeInBytes();
          out.add(e);
        }
      }
      return out;
    };
    cores.put(id, new RaftCore(id, bootstrap, config, tv, 0, 0, log.size(), reader,
        new SplittableRandom(seed++), () -> nowNanos));
    applied.putIfAbsent(id, new ArrayList<>());
    outcomes.putIfAbsent(id, new ArrayList<>());
    readies.putIfAbsent(id, new ArrayList<>());
  }

  /**
   * Starts a node with an empty log and no membership, which waits for a leader to add it; a
   * node that exists already is wiped and starts so.
   */
  RaftCore join(String id) {
    NodeId n = NodeId.of(id);
    joining.add(n);
    inFlight.removeIf(m -> m.to().equals(n));
    start(n, TermAndVote.INITIAL, List.of());
    applied.get(n).clear();
    return cores.get(n);
  }

  /** Replaces a node by a fresh core recovered from its stored term, vote and log. */
  RaftCore restart(String id) {
    NodeId n = NodeId.of(id);
    Stored s = stored.get(n);
    start(n, s.termAndVote, List.copyOf(s.log));
    inFlight.removeIf(m -> m.to().equals(n));
    applied.get(n).clear();
    return cores.get(n);
  }

  /** The node stops: messages to and from it are lost, including those already queued. */
  void crash(String id) {
    NodeId n = NodeId.of(id);
    isolated.add(n);
    inFlight.removeIf(m -> m.from().equals(n) || m.to().equals(n));
  }

  /** The node starts again from what it stored, and is reachable again. */
  RaftCore recover(String id) {
    isolated.remove(NodeId.of(id));
    return restart(id);
  }

  // ---------------------------------------------------------------- access

  RaftCore node(String id) {
    return cores.get(NodeId.of(id));
  }

  Stored stored(String id) {
    return stored.get(NodeId.of(id));
  }

  /** The core's in-memory log, from its first index. */
  static List<LogEntry> logOf(RaftCore core) {
    return core.log().range(core.log().firstIndex(), core.lastIndex());
  }

  /** The terms of a core's log, from index 1. */
  static List<Long> termsOf(RaftCore core) {
    List<Long> out = new ArrayList<>();
    for (LogEntry e : logOf(core)) {
      out.add(e.term());
    }
    return out;
  }

  List<LogEntry> applied(String id) {
    return applied.get(NodeId.of(id));
  }

  List<Outcome> outcomes(String id) {
    return outcomes.get(NodeId.of(id));
  }

  List<Ready> readies(String id) {
    return readies.get(NodeId.of(id));
  }

  List<RaftMessage> sent() {
    return sent;
  }

  /** Messages queued and not yet delivered or dropped. */
  List<RaftMessage> inFlight() {
    return List.copyOf(inFlight);
  }

  /** Asserts that every node's store holds exactly its core's log. */
  void assertStoresMatchCores() {
    cores.forEach(
        (id, core) ->
            assertThat(stored.get(id).log).as("stored log of %s", id).isEqualTo(logOf(core)));
  }

  // ---------------------------------------------------------------- faults

  void isolate(String... ids) {
    for (String id : ids) {
      isolated.add(NodeId.of(id));
    }
  }

  void heal() {
    isolated.clear();
  }

  private boolean cutOff(RaftMessage m) {
    return isolated.contains(m.from()) || isolated.contains(m.to());
  }

  // ---------------------------------------------------------------- driving

  void step(String id, Event event) {
    RaftCore core = node(id);
    core.step(event);
    drain(core);
  }

  void tick(String id) {
    nowNanos += config.tickNanos();
    step(id, new Event.Tick());
  }

  void tick(String id, int times) {
    for (int i = 0; i < times; i++) {
      tick(id);
    }
  }

  /** Lets {@code ticks} ticks' worth of time pass on the clock, without stepping any node. */
  void elapse(int ticks) {
    nowNanos += ticks * config.tickNanos();
  }

  /** Ticks every node once, in id order (a tick's length passes once). */
  void tickAll() {
    nowNanos += config.tickNanos();
    for (NodeId id : List.copyOf(cores.keySet())) {
      step(id.value(), new Event.Tick());
    }
  }

  /** Ticks {@code id} until it leaves the follower role (its election timeout fired). */
  void timeOut(String id) {
    RaftCore core = node(id);
    for (int i = 0; i <= config.electionTicksMax() && core.role() == Role.FOLLOWER; i++) {
      tick(id);
    }
    assertThat(core.role()).as("%s campaigns after an election timeout", id).isNotEqualTo(Role.FOLLOWER);
  }

  /** Times {@code id} out and delivers everything; asserts that it won. */
  RaftCore elect(String id) {
    timeOut(id);
    deliverAll();
    assertThat(node(id).role()).as("%s won the election", id).isEqualTo(Role.LEADER);
    return node(id);
  }

  /** Delivers queued messages, and those they cause, until none is left; returns how many. */
  int deliverAll() {
    return deliverAll(m -> true);
  }

  /**
   * Delivers queued messages that match {@code which}, and those they cause, until none matches;
   * the others stay queued. Returns how many were delivered.
   */
  int deliverAll(Predicate<RaftMessage> which) {
    int delivered = 0;
    boolean progress = true;
    while (progress) {
      progress = false;
      for (Iterator<RaftMessage> it = inFlight.iterator(); it.hasNext(); ) {
        RaftMessage m = it.next();
        if (which.test(m)) {
          it.remove();
          deliver(m);
          delivered++;
          progress = true;
          break;
        }
      }
      if (delivered > 100_000) {
        throw new AssertionError("messages never stop: " + inFlight);
      }
    }
    return delivered;
  }

  /** Removes and returns the queued messages that match {@code which}, to deliver later or never. */
  List<RaftMessage> take(Predicate<RaftMessage> which) {
    List<RaftMessage> out = new ArrayList<>();
    inFlight.removeIf(
        m -> {
          if (which.test(m)) {
            out.add(m);
            return true;
          }
          return false;
        });
    return out;
  }

  /** Delivers one message (again, if it was delivered before), unless its path is cut off. */
  void deliver(RaftMessage m) {
    if (cutOff(m)) {
      return;
    }
    RaftCore to = cores.get(m.to());
    to.step(new Event.Receive(m));
    drain(to);
  }

  private void drain(RaftCore core) {
    NodeId id = core.id();
    while (true) {
      Ready r = core.ready();
      if (r.isEmpty()) {
        return;
      }
      readies.get(id).add(r);
      persist(stored.get(id), r);
      r.messages().forEach(this::send);
      List<LogEntry> committed = r.committedEntries();
      applied.get(id).addAll(committed);
      outcomes.get(id).addAll(r.outcomes());
      // The write above is durable: messages waiting for it may leave, the node's own come back.
      for (RaftMessage m : r.messagesAfterPersist()) {
        if (m.to().equals(id)) {
          core.step(new Event.Receive(m));
        } else {
          send(m);
        }
      }
      if (!committed.isEmpty()) {
        core.step(new Event.Applied(committed.get(committed.size() - 1).index()));
      }
    }
  }

  private static void persist(Stored s, Ready r) {
    if (r.truncateFrom() != 0) {
      s.log.removeIf(e -> e.index() >= r.truncateFrom());
    }
    for (LogEntry e : r.entries()) {
      long expected = s.log.isEmpty() ? 1 : s.log.get(s.log.size() - 1).index() + 1;
      assertThat(e.index()).as("the store's log stays contiguous").isEqualTo(expected);
      s.log.add(e);
    }
    if (r.termAndVote() != null) {
      s.termAndVote = r.termAndVote();
    }
  }

  private void send(RaftMessage m) {
    if (m.to().equals(m.from())) {
      cores.get(m.to()).step(new Event.Receive(m));
      return;
    }
    sent.add(m);
    if (!cutOff(m)) {
      inFlight.add(m);
    }
  }
}
