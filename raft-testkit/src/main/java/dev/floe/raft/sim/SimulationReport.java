package dev.floe.raft.sim;

import java.util.List;

/**
 * What one {@link Simulation} run saw.
 *
 * @param seed the run's seed
 * @param nodes the cluster size
 * @param events the events run (message deliveries, timers, disk completions, applies)
 * @param faults the faults injected (crashes, restarts, partitions, heals, loss changes)
 * @param membershipChanges the membership changes that committed
 * @param acknowledged the submits acknowledged to clients
 * @param messagesSent messages sent
 * @param messagesDropped messages dropped (loss or cut links)
 * @param messagesDuplicated messages delivered twice
 * @param clientOperations the reads and writes clients made, checked for linearizability
 * @param live whether the healed cluster elected a leader, committed and caught up in time
 * @param violations the safety violations seen; empty when the run is correct
 * @param finalState when the run was not live, each node's status at the end; otherwise empty
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
    boolean live,
    List<String> violations,
    String finalState) {

  /** Whether the run was safe and live. */
  public boolean passed() {
    return live && violations.isEmpty();
  }

  /** The command that replays this run exactly. */
  public String replayCommand() {
    return "mvn -B -ntp -pl raft-core,raft-testkit test -Dsurefire.failIfNoSpecifiedTests=false"
        + " -Dtest=SimulationTest#replay -Dfloe.sim.seed=" + seed + " -Dfloe.sim.nodes=" + nodes;
  }
}
