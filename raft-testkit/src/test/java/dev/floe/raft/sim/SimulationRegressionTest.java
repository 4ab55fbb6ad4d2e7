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
   * A bug in raft-core, found by the long campaign, not fixed yet (its owner fixes the core; enable
   * this test with the fix). A voter ignores vote requests from nodes that are not voters in its own
   * configuration (RaftCore.receive: "a node outside the configuration cannot disturb it"). Here n1
   * lags: its configuration still has n4 and n5 as learners, while n2, n4 and n5 hold the promotion
   * (voters n1, n3, n4, n5, uncommitted). n3, whose log is the longest, appended its own removal
   * and so never campaigns, and refuses n4 and n5 their votes (its log is more up to date). n4 and
   * n5 campaign from term 7 on, and need n1, which ignores them: no leader, ever. Raft has servers
   * answer vote requests without consulting their configuration (thesis §4.1) and keeps removed
   * servers from disrupting with the lease check alone (§4.2.3), which Floe has; with the check
   * relaxed to any member of the configuration, this seed is live (and the CI seeds still pass).
   */
  @Disabled("raft-core bug: a lagging voter ignores the votes of promoted learners")
  @ParameterizedTest(name = "seed {0}, {1} nodes")
  @CsvSource({"1001296, 3"})
  void aLaggingVoterHearsTheVoteRequestsOfLearnersPromotedSinceItsConfiguration(long seed,
      int nodes) {
    SimulationReport r = Simulation.builder().nodes(nodes).seed(seed).run();
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
