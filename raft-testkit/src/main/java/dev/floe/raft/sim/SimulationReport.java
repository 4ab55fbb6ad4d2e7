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
 * What one {@link Simulation} run saw, and whether it passed. Assert {@link #passed()} with the
 * report's {@link #describe() description} as the message, or call {@link #assertPassed()}: a run
 * passes only if it was safe, live, acknowledged at least one submit, and the state machine never
 * threw, so a state machine that rejects every command cannot pass by accident.
 *
 * @param seed the run's seed
 * @param nodes the cluster size
 * @param events the events run (message deliveries, timers, disk completions, applies)
 * @param faults every fault injected (crashes, restarts, partitions, heals, loss changes, and the
 *     faults at the edges counted in {@code edgeFaults})
 * @param membershipChanges the membership changes that committed
 * @param acknowledged the submits acknowledged to clients
 * @param messagesSent messages sent
 * @param messagesDropped messages dropped (loss or cut links)
 * @param messagesDuplicated messages delivered twice
 * @param clientOperations the reads and writes clients made, checked for linearizability
 * @param edgeFaults the faults at the edges around the algorithm, and the node failures seen
 * @param load the calm phases under load, and what loaded them
 * @param live whether the healed cluster elected a leader, committed and caught up in time
 * @param notLive when the run was not live, why; otherwise empty
 * @param violations what the checks found wrong (each line names its check first, such as
 *     {@code "stale read: ..."}; see {@code docs/testing.md}); empty when the run is correct
 * @param stateMachineFailures how often the state machine under test threw
 * @param stateMachineFailure the first exception it threw, where and with its stack trace; empty
 *     if it never threw
 * @param finalState when the run failed, each node's status at the end and the journal of the
 *     last faults and leaders; otherwise empty
 * @param replay how to replay this run: the seed, and where to give it
 */
public record SimulationReport(
    long seed,
    int nodes,
    long events,
    long faults,
    long membershipChanges,
    long acknowledged,
    long messagesSent,
    long messagesDropped,
    long messagesDuplicated,
    long clientOperations,
    EdgeFaults edgeFaults,
    Load load,
    boolean live,
    String notLive,
    List<String> violations,
    long stateMachineFailures,
    String stateMachineFailure,
    String finalState,
    String replay) {

  /**
   * {@return whether the run passed: it was live, no check found a violation, at least one submit
   * was acknowledged, and the state machine never threw}
   */
  public boolean passed() {
    return failures().isEmpty();
  }

  /**
   * {@return why the run failed, most telling first: the state machine's first exception, no
   * acknowledged submit, no liveness, then each violation; empty if it passed}
   */
  public List<String> failures() {
    List<String> out = new ArrayList<>();
    if (stateMachineFailures > 0) {
      out.add("the state machine threw " + (stateMachineFailures == 1 ? "once" : stateMachineFailures
          + " times") + "; the first time: " + stateMachineFailure);
    }
    if (acknowledged == 0) {
      out.add("no submit was acknowledged, so nothing was tested");
    }
    if (!live) {
      out.add("not live: " + notLive);
    }
    out.addAll(violations);
    return out;
  }

  /**
   * {@return the report as text, for an assertion's message: whether it passed, why not, what ran,
   * the nodes' final state and the journal of a failed run, and how to replay it}
   */
  public String describe() {
    List<String> failures = failures();
    StringBuilder b = new StringBuilder("simulation of seed ").append(seed).append(" (")
        .append(nodes).append(" nodes) ");
    if (failures.isEmpty()) {
      b.append("passed");
    } else {
      b.append("FAILED:");
      for (int i = 0; i < failures.size(); i++) {
        b.append("\n  ").append(i + 1).append(". ").append(failures.get(i).replace("\n", "\n     "));
      }
    }
    b.append(String.format("%nran %d events: %d faults injected, %d submits acknowledged, %d client"
        + " operations checked, %d membership changes, %d messages dropped, %d duplicated; %s; %s",
        events, faults, acknowledged, clientOperations, membershipChanges, messagesDropped,
        messagesDuplicated, edgeFaults, load));
    if (!finalState.isEmpty()) {
      b.append('\n').append(finalState.strip());
    }
    return b.append('\n').append(replay).toString();
  }

  /**
   * Checks that the run passed, for a test that needs nothing more than that.
   *
   * @return this report, so that a test can go on reading it
   * @throws AssertionError with the {@link #describe() description} if it did not
   */
  public SimulationReport assertPassed() {
    if (!passed()) {
      throw new AssertionError(describe());
    }
    return this;
  }

  /**
   * The faults at the edges around the algorithm that a run injected, and the node failures it saw.
   *
   * @param pauses process pauses (a long GC pause, SIGSTOP)
   * @param skewedClocks machines whose clock ran fast or slow
   * @param lateTicks timers that fired late
   * @param longDelays messages held far longer than an election timeout
   * @param editedMemberListsRefused restarts with an edited member list that were refused, as they
   *     must be
   * @param swappedDirectoriesRefused starts on another machine's data directory that were refused
   * @param lostMetasRefused starts on a disk that lost its term and vote that were refused
   * @param nodeFailures nodes that failed (stopped, or a task threw) with no injected fault to
   *     explain it: each is also a violation
   */
  public record EdgeFaults(
      long pauses,
      long skewedClocks,
      long lateTicks,
      long longDelays,
      long editedMemberListsRefused,
      long swappedDirectoriesRefused,
      long lostMetasRefused,
      long nodeFailures) {

    /** None at all. */
    public static final EdgeFaults NONE = new EdgeFaults(0, 0, 0, 0, 0, 0, 0, 0);

    /**
     * The sum of these and {@code o}.
     *
     * @param o other counts
     * @return the sums
     */
    public EdgeFaults plus(EdgeFaults o) {
      return new EdgeFaults(pauses + o.pauses, skewedClocks + o.skewedClocks,
          lateTicks + o.lateTicks, longDelays + o.longDelays,
          editedMemberListsRefused + o.editedMemberListsRefused,
          swappedDirectoriesRefused + o.swappedDirectoriesRefused,
          lostMetasRefused + o.lostMetasRefused, nodeFailures + o.nodeFailures);
    }

    @Override
    public String toString() {
      return String.format("%d pauses, %d skewed clocks, %d late ticks, %d long delays,"
          + " %d edited member lists refused, %d swapped directories refused,"
          + " %d lost metas refused, %d node failures", pauses, skewedClocks, lateTicks,
          longDelays, editedMemberListsRefused, swappedDirectoriesRefused, lostMetasRefused,
          nodeFailures);
    }
  }

  /**
   * The calm phases under load of a run (see {@link Simulation.Builder#calmPhasesUnderLoad}), and
   * what loaded them.
   *
   * @param calmPhases calm windows watched for a leader change
   * @param calmPhasesUnsettled calm phases given up because the cluster did not settle in time
   * @param leaderChanges calm windows in which the leader changed: each is also a violation
   * @param largeCommands large commands submitted (over 64 KiB, up to the maximum)
   * @param maxSizeCommands of those, commands of exactly {@code maxCommandBytes}
   * @param maxCommandBytes the largest command the nodes take ({@code RaftOptions})
   * @param slowSyncs flushes of slow disks (each 10 to 200 ms by default)
   * @param bulkMessagesRefused bulk messages a lane refused over its write-buffer limit
   */
  public record Load(
      long calmPhases,
      long calmPhasesUnsettled,
      long leaderChanges,
      long largeCommands,
      long maxSizeCommands,
      int maxCommandBytes,
      long slowSyncs,
      long bulkMessagesRefused) {

    /** None at all. */
    public static final Load NONE = new Load(0, 0, 0, 0, 0, 0, 0, 0);

    /**
     * The sum of these and {@code o}, for a report over several runs.
     *
     * @param o other counts
     * @return the sums, with the larger {@code maxCommandBytes}
     */
    public Load plus(Load o) {
      return new Load(calmPhases + o.calmPhases, calmPhasesUnsettled + o.calmPhasesUnsettled,
          leaderChanges + o.leaderChanges, largeCommands + o.largeCommands,
          maxSizeCommands + o.maxSizeCommands, Math.max(maxCommandBytes, o.maxCommandBytes),
          slowSyncs + o.slowSyncs, bulkMessagesRefused + o.bulkMessagesRefused);
    }

    @Override
    public String toString() {
      return String.format("%d calm phases under load (%d unsettled, %d leader changes),"
          + " %d large commands (%d at the maximum, %d bytes), %d slow syncs,"
          + " %d bulk messages refused over a full buffer", calmPhases, calmPhasesUnsettled,
          leaderChanges, largeCommands, maxSizeCommands, maxCommandBytes, slowSyncs,
          bulkMessagesRefused);
    }
  }
}
