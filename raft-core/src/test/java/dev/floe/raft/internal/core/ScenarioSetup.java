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
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.TermAndVote;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The {@code cluster} command of a scenario: the core's settings, and the founding members with
 * the durable state each starts from.
 */
final class ScenarioSetup {
  private ScenarioSetup() {}

  /**
   * Builds the cluster. Scenario defaults are small, so that files stay short: elections after
   * 10 to 19 ticks, heartbeats every 3, classic Raft (no pre-vote, no check-quorum), a learner
   * promoted only once it holds the leader's whole log, within 50 ticks.
   */
  static ScenarioCluster cluster(ScenarioCommand c) {
    String[] election = c.named("election", "10-20").split("-");
    CoreConfig config = new CoreConfig(
        Integer.parseInt(election[0]),
        Integer.parseInt(election[1]),
        (int) c.number("heartbeat", 3),
        (int) c.number("max-entries", 64),
        c.number("max-bytes", 1 << 20),
        (int) c.number("inflight", 8),
        c.number("inflight-bytes", 16L << 20),
        c.flag("prevote", false),
        c.flag("checkquorum", false),
        c.number("promote-within", 0),
        c.number("catch-up", 50));
    ScenarioCluster cluster = new ScenarioCluster(config, c.number("seed", 1));
    cluster.found(founders(c));
    return cluster;
  }

  /** The founders: the nodes named on the command line, and those of the input lines. */
  private static List<ScenarioCluster.Founder> founders(ScenarioCommand c) {
    TreeMap<NodeId, ScenarioCluster.Founder> founders = new TreeMap<>();
    for (NodeId id : c.restNodes()) {
      founders.put(id, new ScenarioCluster.Founder(id, TermAndVote.INITIAL, List.of()));
    }
    java.util.Set<NodeId> described = new java.util.TreeSet<>();
    for (int i = 0; i < c.input.size(); i++) {
      ScenarioCommand line = new ScenarioCommand(c.input.get(i), List.of(), c.line + 1 + i);
      NodeId id = NodeId.of(line.name);
      String vote = line.named("vote");
      TermAndVote tv = new TermAndVote(line.number("term", 0),
          vote == null ? null : NodeId.of(vote));
      List<LogEntry> log = entries(line.named("log", ""));
      line.checkAllUsed();
      if (!described.add(id)) {
        throw new IllegalArgumentException(id + " is described twice");
      }
      founders.put(id, new ScenarioCluster.Founder(id, tv, log));
    }
    if (founders.isEmpty()) {
      throw new IllegalArgumentException("cluster: name the founding members");
    }
    return List.copyOf(founders.values());
  }

  /** Entries from index 1 with the given terms (comma-separated), each an empty command. */
  private static List<LogEntry> entries(String terms) {
    List<LogEntry> out = new ArrayList<>();
    if (terms.isEmpty()) {
      return out;
    }
    String[] list = terms.split(",");
    for (int i = 0; i < list.length; i++) {
      out.add(LogEntry.command(i + 1, Long.parseLong(list[i]), new byte[0]));
    }
    return out;
  }
}
