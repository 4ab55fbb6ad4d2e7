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

import java.util.ArrayList;
import java.util.List;

/**
 * The totals of many simulation runs, and the one summary line that CI and the long campaign
 * print. Thread-safe: runs on several threads add their reports.
 */
final class SimulationSummary {
  private long seeds;
  private long threeNode;
  private long fiveNode;
  private long events;
  private long faults;
  private long changes;
  private long dropped;
  private long duplicated;
  private long acknowledged;
  private long operations;
  private long violations;
  private long stateMachineFailures;
  private long notLive;
  private SimulationReport.EdgeFaults edge = SimulationReport.EdgeFaults.NONE;
  private SimulationReport.Load load = SimulationReport.Load.NONE;
  private final List<SimulationReport> failed = new ArrayList<>();

  /** Adds a run. */
  synchronized void add(SimulationReport r) {
    seeds++;
    if (r.nodes() == 3) {
      threeNode++;
    } else if (r.nodes() == 5) {
      fiveNode++;
    }
    events += r.events();
    faults += r.faults();
    changes += r.membershipChanges();
    dropped += r.messagesDropped();
    duplicated += r.messagesDuplicated();
    acknowledged += r.acknowledged();
    operations += r.clientOperations();
    violations += r.violations().size();
    stateMachineFailures += r.stateMachineFailures();
    notLive += r.live() ? 0 : 1;
    edge = edge.plus(r.edgeFaults());
    load = load.plus(r.load());
    if (!r.passed()) {
      failed.add(r);
    }
  }

  synchronized long seeds() {
    return seeds;
  }

  /** The runs that failed so far, in the order they were added. */
  synchronized List<SimulationReport> failed() {
    return List.copyOf(failed);
  }

  /** The summary line. */
  synchronized String line() {
    return String.format(
        "simulation: %d seeds (%d three-node, %d five-node), %d events, %d faults injected,"
            + " %d membership changes committed, %d messages dropped, %d duplicated,"
            + " %d submits acknowledged, %d client operations checked, %d violations,"
            + " %d state machine failures, %d runs not live; %s; %s",
        seeds, threeNode, fiveNode, events, faults, changes, dropped, duplicated, acknowledged,
        operations, violations, stateMachineFailures, notLive, edge, load);
  }

  /** How a failed run is printed: the report, then the command that replays it here. */
  static String describeFailure(SimulationReport r, String replayCommand) {
    return "FAILED " + r.describe() + "\n  replay from this repository: " + replayCommand;
  }
}
