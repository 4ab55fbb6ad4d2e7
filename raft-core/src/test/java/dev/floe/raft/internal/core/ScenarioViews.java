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
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.LogEntry;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The commands of a scenario that only print: a node's status, its log (or just its terms), what
 * its store holds, and what its state machine applied. Each names nodes, or prints all of them.
 */
final class ScenarioViews {
  private ScenarioViews() {}

  static void show(ScenarioCluster cluster, ScenarioCommand c) {
    List<NodeId> ids = c.restNodes();
    List<ScenarioNode> nodes = ids.isEmpty() ? List.copyOf(cluster.nodes())
        : ids.stream().map(cluster::node).toList();
    for (ScenarioNode n : nodes) {
      switch (c.name) {
        case "status" -> status(cluster, n);
        case "log" -> cluster.print(n.id + ": " + log(n));
        case "terms" -> cluster.print(n.id + ": " + terms(n));
        case "stored" -> cluster.print(n.id + ": " + stored(n));
        case "applied" -> cluster.print(n.id + ": " + applied(n));
        default -> throw new IllegalArgumentException("unknown command " + c.name);
      }
    }
  }

  private static void status(ScenarioCluster cluster, ScenarioNode n) {
    if (!n.up()) {
      cluster.print(n.id + ": down");
      return;
    }
    RaftCore core = n.core;
    RaftLog log = core.log();
    cluster.print(n.id + ": " + core.role() + " t=" + core.term() + " vote="
        + name(n.termAndVote.votedFor()) + " leader=" + name(core.leader()) + " commit="
        + core.commitIndex() + " applied=" + core.appliedIndex() + " last=" + log.lastIndex() + "@"
        + log.lastTerm() + base(log) + " " + ScenarioFormat.configuration(core.configuration()));
    if (core.role() == Role.LEADER) {
      StringJoiner match = new StringJoiner(" ", "  match ", "");
      for (Map.Entry<NodeId, Long> e : core.matchIndexes().entrySet()) {
        match.add(e.getKey() + "=" + e.getValue());
      }
      cluster.print(match.toString());
    }
  }

  private static String name(NodeId id) {
    return id == null ? "-" : id.value();
  }

  private static String base(RaftLog log) {
    return log.baseIndex() == 0 ? "" : " base=" + log.baseIndex() + "@" + log.baseTerm();
  }

  private static List<LogEntry> entries(RaftLog log) {
    return log.range(log.firstIndex(), log.lastIndex());
  }

  private static String log(ScenarioNode n) {
    if (!n.up()) {
      return "down";
    }
    RaftLog log = n.core.log();
    String base = log.baseIndex() == 0 ? "" : "(base " + log.baseIndex() + "@" + log.baseTerm()
        + ") ";
    return base + ScenarioFormat.entries(entries(log));
  }

  private static String terms(ScenarioNode n) {
    if (!n.up()) {
      return "down";
    }
    RaftLog log = n.core.log();
    String base = log.baseIndex() == 0 ? "" : "(base " + log.baseIndex() + "@" + log.baseTerm()
        + ") ";
    return base + ScenarioFormat.terms(entries(log));
  }

  private static String stored(ScenarioNode n) {
    String log = n.storedLastIndex() < n.storedFirstIndex()
        ? "empty from " + n.storedFirstIndex()
        : n.storedFirstIndex() + ".." + n.storedLastIndex();
    ScenarioNode.Snapshot s = n.snapshot;
    String snapshot = s == null ? "none" : s.index() + "@" + s.term() + " "
        + ScenarioFormat.configuration(s.membership());
    return ScenarioFormat.termAndVote(n.termAndVote) + " log=" + log + " snapshot=" + snapshot;
  }

  private static String applied(ScenarioNode n) {
    if (!n.up()) {
      return "down";
    }
    return "applied=" + n.appliedIndex + " " + ScenarioFormat.commands(n.applied);
  }
}
