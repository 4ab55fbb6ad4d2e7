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
  private long violations;
  private long notLive;
  private SimulationReport.EdgeFaults edge = SimulationReport.EdgeFaults.NONE;
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
    violations += r.violations().size();
    notLive += r.live() ? 0 : 1;
    edge = edge.plus(r.edgeFaults());
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
            + " %d submits acknowledged, %d violations, %d runs not live;"
            + " %d pauses, %d skewed clocks, %d late ticks, %d long delays,"
            + " %d edited member lists refused, %d swapped directories refused,"
            + " %d lost metas refused, %d node failures",
        seeds, threeNode, fiveNode, events, faults, changes, dropped, duplicated, acknowledged,
        violations, notLive, edge.pauses(), edge.skewedClocks(), edge.lateTicks(),
        edge.longDelays(), edge.editedMemberListsRefused(), edge.swappedDirectoriesRefused(),
        edge.lostMetasRefused(), edge.nodeFailures());
  }

  /** How a failed run is printed: its seed, what went wrong, the final state and its replay. */
  static String describeFailure(SimulationReport r) {
    return String.format("FAILED seed %d (%d nodes): live=%s violations=%s%n%s  replay: %s",
        r.seed(), r.nodes(), r.live(), r.violations(), r.finalState(), r.replayCommand());
  }
}
