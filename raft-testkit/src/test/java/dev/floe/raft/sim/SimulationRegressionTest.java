package dev.floe.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Seeds on which the simulator once found a bug, kept so that the bug never returns. Each runs with
 * the faults of the simulator that found it: the seeds found before the faults at the edges run
 * without them ({@code edgeFaults(false)}), which replays the very run that failed.
 */
class SimulationRegressionTest {

  /**
   * Request ids restarted at 1 when a node restarted, so a restarted follower's forwarded submit
   * could be matched with an earlier incarnation's request (by the leader's duplicate filter, or by
   * a late ForwardResponse) and acknowledged at another command's index.
   */
  @ParameterizedTest(name = "seed {0}, {1} nodes")
  @CsvSource({"6, 3", "8, 5", "10, 5", "29, 5", "34, 5", "36, 5"})
  void requestIdsDoNotRepeatAcrossRestarts(long seed, int nodes) {
    SimulationReport r = Simulation.builder().nodes(nodes).seed(seed).edgeFaults(false).run();
    assertThat(r.violations()).isEmpty();
    assertThat(r.live()).isTrue();
  }

  /**
   * The checker held a leader of an old term to entries committed in later terms: a node paused
   * right after it campaigned won its election (term 1) on resuming, from the votes queued while it
   * was paused, after another leader (term 2) had committed entries. Raft promises those entries only
   * to leaders of later terms; "leader completeness" reported a violation that was none (a bug of
   * the testkit, found by the pauses).
   */
  @ParameterizedTest(name = "seed {0}, {1} nodes")
  @CsvSource({"580, 3"})
  void aLeaderOfAnOlderTermNeedNotHoldEntriesCommittedLater(long seed, int nodes) {
    SimulationReport r = Simulation.builder().nodes(nodes).seed(seed).run();
    assertThat(r.violations()).isEmpty();
    assertThat(r.live()).isTrue();
    assertThat(r.edgeFaults().pauses()).isPositive();
  }

  /**
   * A bug in raft-core, found by the long campaign (four seeds in 10,000), not fixed yet: its
   * owner fixes the core; enable this test with the fix. A voter ignores vote requests from nodes
   * that are not voters in its own configuration (RaftCore.receive: "a node outside the
   * configuration cannot disturb it"). When a voter lags behind membership changes, the candidates
   * of the newer configurations need its vote and never get it. In seed 1001296, n1's configuration
   * still has n4 and n5 as learners, while the others hold their promotion (voters n1, n3, n4,
   * n5); n3, whose log is the longest, appended its own removal, so it never campaigns and refuses
   * n4 and n5 its vote (its log is more up to date); n4 and n5 need n1: no leader from term 7 on,
   * ever. The other seeds end the same way.
   *
   * <p>Raft has servers answer vote requests without consulting their configuration (thesis §4.1)
   * and keeps removed servers from disrupting with the lease check alone (§4.2.3), which Floe has.
   * Dropping the check altogether makes the four seeds live but lets a node wiped to rejoin (no
   * configuration yet) vote again in a term it voted in before it was wiped (seed 1007046: two
   * leaders of term 2). Dropping only the requests that a node with no configuration receives
   * makes all four live, and the CI seeds still pass.
   *
   * <p>The faults at the edges are not needed: the same 10,000 seeds without them end five runs
   * the same way (the seeds below run without them), each live with that last change. The CI seeds
   * never hit it.
   */
  @Disabled("raft-core bug: a voter behind a membership change ignores the newer voters' votes")
  @ParameterizedTest(name = "seed {0}, {1} nodes, faults at the edges: {2}")
  @CsvSource({"1001296, 3, true", "1007046, 3, true", "1008457, 3, true", "1008663, 3, true",
      "1002826, 3, false", "1005723, 3, false", "1006872, 3, false", "1007638, 3, false",
      "1008431, 3, false"})
  void aVoterBehindAMembershipChangeAnswersTheVoteRequestsOfTheNewVoters(long seed, int nodes,
      boolean edgeFaults) {
    SimulationReport r =
        Simulation.builder().nodes(nodes).seed(seed).edgeFaults(edgeFaults).run();
    assertThat(r.violations()).isEmpty();
    assertThat(r.live()).as(r.finalState()).isTrue();
  }

  /**
   * A leader in PROBE state answered a success that confirmed no new entries (as after a snapshot
   * install) with another probe, forever: 100 million messages in ten virtual seconds.
   */
  @ParameterizedTest(name = "seed {0}, {1} nodes")
  @CsvSource({"100, 3"})
  void aSuccessInProbeStateEndsTheProbe(long seed, int nodes) {
    SimulationReport r = Simulation.builder().nodes(nodes).seed(seed).edgeFaults(false).run();
    assertThat(r.violations()).isEmpty();
    assertThat(r.live()).isTrue();
    assertThat(r.messagesSent()).isLessThan(100_000);
  }
}
