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
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.RaftMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Carries out the commands of one scenario file on its {@link ScenarioCluster} (the language is
 * documented on {@link ScenarioTest}) and returns what each printed.
 */
final class ScenarioCommands {
  private static final Set<String> MESSAGE_TYPES = Set.of("VoteRequest", "VoteResponse",
      "AppendRequest", "AppendResponse", "InstallSnapshotRequest", "InstallSnapshotResponse",
      "TimeoutNow", "ForwardRequest", "ForwardResponse", "ReadIndexRequest", "ReadIndexResponse");
  /** The most messages one {@code stabilize} delivers before it calls the run endless. */
  private static final int MAX_DELIVERIES = 10_000;

  private ScenarioCluster cluster;
  private long nextRequestId = 1;

  /** Runs one command; returns its output lines ({@code ok} if it printed none). */
  List<String> run(ScenarioCommand c) {
    dispatch(c);
    c.checkAllUsed();
    if (cluster == null) {
      throw new IllegalArgumentException("a scenario starts with 'cluster'");
    }
    cluster.checkStores();
    List<String> lines = cluster.takeOutput();
    if (c.quiet) {
      lines = List.of();
    }
    return lines.isEmpty() ? List.of("ok") : lines;
  }

  private void dispatch(ScenarioCommand c) {
    switch (c.name) {
      case "cluster" -> cluster = ScenarioSetup.cluster(c);
      case "join" -> cluster.join(c.node());
      case "tick" -> tick(c);
      case "tick-all" -> repeat(c, cluster::tickAll);
      case "run" -> runRounds(c);
      case "elapse" -> cluster.elapse(Long.parseLong(c.next("ticks")));
      case "campaign" -> campaign(c.node());
      case "propose" -> propose(c.node(), EntryType.COMMAND, c.rest(), 0, 0);
      case "propose-session" -> propose(c.node(), EntryType.SESSION_COMMAND, c.rest(),
          c.number("client", 1), c.number("seq", 1));
      case "transfer" -> transfer(c);
      case "read-index" -> request(c.node(), "read-index", id -> new Event.ReadIndex(id));
      case "lease-read" -> request(c.node(), "lease-read", id -> new Event.LeaseRead(id));
      case "add-learner" -> change(c, Event.MembershipChangeKind.ADD_LEARNER);
      case "add-voter" -> change(c, Event.MembershipChangeKind.ADD_VOTER);
      case "promote" -> change(c, Event.MembershipChangeKind.PROMOTE);
      case "remove" -> change(c, Event.MembershipChangeKind.REMOVE);
      case "snapshot" -> cluster.takeSnapshot(c.node(), c.number("trailing", 0));
      case "deliver" -> deliver(c);
      case "stabilize" -> stabilize(filter(c));
      case "drop" -> cluster.inFlight(filter(c)).forEach(cluster::drop);
      case "dup" -> cluster.inFlight(filter(c)).forEach(cluster::duplicate);
      case "msgs" -> messages(filter(c));
      case "partition" -> cluster.partition(c.rest().stream().map(ScenarioCommands::group)
          .toList());
      case "isolate" -> cluster.partition(List.of(c.restNodes()));
      case "cut" -> cluster.cut(c.node(), c.node());
      case "heal" -> cluster.heal();
      case "crash" -> forEach(c, cluster::crash);
      case "restart" -> forEach(c, cluster::restart);
      default -> ScenarioViews.show(cluster, c);
    }
  }

  private static List<NodeId> group(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(",")).map(NodeId::of).toList();
  }

  private void forEach(ScenarioCommand c, java.util.function.Consumer<NodeId> action) {
    List<NodeId> ids = c.restNodes();
    if (ids.isEmpty()) {
      throw new IllegalArgumentException(c.name + ": name a node");
    }
    ids.forEach(action);
  }

  private static void repeat(ScenarioCommand c, Runnable action) {
    long times = c.hasNext() ? Long.parseLong(c.next("count")) : 1;
    for (long i = 0; i < times; i++) {
      action.run();
    }
  }

  /** Rounds of a tick for every node, each followed by delivering the matching messages. */
  private void runRounds(ScenarioCommand c) {
    Predicate<RaftMessage> which = filter(c);
    repeat(c, () -> {
      cluster.tickAll();
      stabilize(which);
    });
  }

  private void tick(ScenarioCommand c) {
    NodeId id = c.node();
    repeat(c, () -> cluster.tick(id));
  }

  /** Ticks a node until it starts a campaign (its election timer fired); says after how long. */
  private void campaign(NodeId id) {
    ScenarioNode n = cluster.running(id);
    long before = n.campaigns;
    int ticks = 0;
    while (n.up() && n.campaigns == before) {
      if (++ticks > cluster.config().electionTicksMax()) {
        throw new IllegalArgumentException(id + " did not campaign within "
            + cluster.config().electionTicksMax() + " ticks (a leader never does)");
      }
      cluster.tick(id);
    }
    cluster.print("(" + id + " campaigned after " + ticks + " ticks)");
  }

  // ---------------------------------------------------------------- requests

  private long newRequest(NodeId on, String what) {
    long id = nextRequestId++;
    cluster.print("request " + id + " on " + on + ": " + what);
    return id;
  }

  private void request(NodeId on, String what, java.util.function.LongFunction<Event> event) {
    cluster.step(on, event.apply(newRequest(on, what)));
  }

  private void propose(NodeId on, EntryType type, List<String> commands, long client, long seq) {
    if (commands.isEmpty()) {
      throw new IllegalArgumentException("propose: name at least one command");
    }
    List<Event.Proposal> proposals = new ArrayList<>();
    for (String command : commands) {
      byte[] bytes = command.getBytes(StandardCharsets.UTF_8);
      if (type == EntryType.SESSION_COMMAND) {
        bytes = Commands.session(client, seq++, bytes);
      }
      String what = "propose " + ScenarioFormat.payload(type, bytes);
      proposals.add(new Event.Proposal(newRequest(on, what), type, bytes));
    }
    cluster.step(on, new Event.Propose(proposals));
  }

  private void transfer(ScenarioCommand c) {
    NodeId on = c.node();
    NodeId target = c.hasNext() ? c.node() : null;
    long id = newRequest(on, "transfer to " + (target == null ? "the most up-to-date" : target));
    cluster.step(on, new Event.TransferLeadership(id, target));
  }

  private void change(ScenarioCommand c, Event.MembershipChangeKind kind) {
    NodeId on = c.node();
    NodeId member = c.node();
    String address = c.named("address", "");
    long id = newRequest(on, kind.name().toLowerCase().replace('_', '-') + " " + member);
    cluster.step(on, new Event.ChangeMembership(id, kind, member, address));
  }

  // ---------------------------------------------------------------- the network

  /**
   * The messages a command names by {@code from=}, {@code to=} and {@code type=}, each a
   * comma-separated list, or one prefixed with {@code !} for all but those.
   */
  private static Predicate<RaftMessage> filter(ScenarioCommand c) {
    Predicate<String> from = list(c.named("from"), null);
    Predicate<String> to = list(c.named("to"), null);
    Predicate<String> types = list(c.named("type"), MESSAGE_TYPES);
    return m -> from.test(m.from().value()) && to.test(m.to().value())
        && types.test(m.getClass().getSimpleName());
  }

  private static Predicate<String> list(String value, Set<String> allowed) {
    if (value == null) {
      return v -> true;
    }
    boolean negated = value.startsWith("!");
    Set<String> names = Arrays.stream(value.substring(negated ? 1 : 0).split(","))
        .collect(Collectors.toSet());
    if (allowed != null && !allowed.containsAll(names)) {
      throw new IllegalArgumentException("unknown message type in " + names);
    }
    return v -> names.contains(v) != negated;
  }

  /**
   * Delivers the matching messages in flight now (at most {@code count}, the newest first if
   * {@code newest=true}), not what they cause.
   */
  private void deliver(ScenarioCommand c) {
    long count = c.number("count", Long.MAX_VALUE);
    List<RaftMessage> now = new ArrayList<>(cluster.inFlight(filter(c)));
    if (c.flag("newest", false)) {
      java.util.Collections.reverse(now);
    }
    now.stream().limit(count).forEach(cluster::deliver);
    if (now.isEmpty()) {
      cluster.print("no message to deliver");
    }
  }

  /** Delivers matching messages, and the matching ones they cause, until none is left. */
  private void stabilize(Predicate<RaftMessage> which) {
    for (int i = 0; i < MAX_DELIVERIES; i++) {
      List<RaftMessage> next = cluster.inFlight(which);
      if (next.isEmpty()) {
        return;
      }
      cluster.deliver(next.get(0));
    }
    throw new AssertionError("messages never stop: " + cluster.inFlight(which));
  }

  private void messages(Predicate<RaftMessage> which) {
    List<RaftMessage> list = cluster.inFlight(which);
    list.forEach(m -> cluster.print(ScenarioFormat.message(m)));
    if (list.isEmpty()) {
      cluster.print("no message in flight");
    }
  }
}
