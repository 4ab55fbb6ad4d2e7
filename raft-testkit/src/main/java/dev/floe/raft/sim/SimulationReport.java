package dev.floe.raft.sim;

import java.util.List;

/**
 * What one {@link Simulation} run saw.
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
 * @param live whether the healed cluster elected a leader, committed and caught up in time
 * @param violations the safety violations seen; empty when the run is correct
 * @param finalState when the run was not live, each node's status at the end; otherwise empty
 * @param replayCommand the command that replays this run exactly, from the repository's root (or,
 *     for a run with settings no command line can give, what to rerun)
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
    boolean live,
    List<String> violations,
    String finalState,
    String replayCommand) {

  /** {@return whether the run was safe and live} */
  public boolean passed() {
    return live && violations.isEmpty();
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
  }
}
