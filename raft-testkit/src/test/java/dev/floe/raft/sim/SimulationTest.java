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

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Randomized simulations over many seeds, three- and five-node, with every fault the simulator
 * has (the faults at the edges included). A failing seed is printed with the command that replays
 * it; found bugs keep their seed in {@link SimulationRegressionTest}.
 *
 * <h2>In CI</h2>
 * {@link #everySeedIsSafeAndTheHealedClusterMakesProgress} runs 600 three-node and 400 five-node
 * seeds and prints one summary line ({@code simulation: ...}); {@code -Dfloe.sim.seeds=N} changes
 * the number of seeds per cluster size.
 *
 * <h2>Replaying a seed</h2>
 * Every failure prints its replay command, to run from the repository's root, for example:
 * <pre>
 * mvn -B -ntp -o -pl raft-testkit -am -Dsurefire.failIfNoSpecifiedTests=false \
 *     '-Dtest=SimulationTest#replay' -Dfloe.sim.seed=580 -Dfloe.sim.nodes=3 test
 * </pre>
 * Add {@code -Dorg.slf4j.simpleLogger.defaultLogLevel=info} to see the nodes' own logs. Without
 * {@code floe.sim.seed}, {@link #replay} checks that the command printed for a run replays it.
 *
 * <h2>A long campaign</h2>
 * Not run by CI: 100,000 seeds (hours on two cores), in parallel on every core, with progress
 * every 30 s and the same summary line at the end. It stops at the first failing seed (after the
 * runs under way) and prints every failing seed with its replay command:
 * <pre>
 * mvn -B -ntp -o -pl raft-testkit -am -Dsurefire.failIfNoSpecifiedTests=false \
 *     '-Dtest=SimulationTest#campaign' -Dfloe.sim.campaign=100000 test
 * </pre>
 * Options: {@code -Dfloe.sim.campaign.from=S} (the first seed, by default 1,000,001, past the
 * seeds CI runs), {@code -Dfloe.sim.campaign.threads=T} (by default one per core), {@code
 * -Dfloe.sim.campaign.keepGoing=true} (collect every failing seed instead of stopping at the
 * first). Three seeds in five run three nodes, the others five, as in CI.
 */
class SimulationTest {
  private static final int SEEDS_THREE = Integer.getInteger("floe.sim.seeds", 600);
  private static final int SEEDS_FIVE = Integer.getInteger("floe.sim.seeds", 400);

  @Test
  void everySeedIsSafeAndTheHealedClusterMakesProgress() throws Exception {
    SimulationSummary summary = new SimulationSummary();
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    List<Future<SimulationReport>> runs = new ArrayList<>();
    LongStream.rangeClosed(1, SEEDS_THREE).forEach(seed ->
        runs.add(pool.submit(() -> Simulation.builder().nodes(3).seed(seed).run())));
    LongStream.rangeClosed(1, SEEDS_FIVE).forEach(seed ->
        runs.add(pool.submit(() -> Simulation.builder().nodes(5).seed(seed).run())));
    for (Future<SimulationReport> f : runs) {
      summary.add(f.get(10, TimeUnit.MINUTES));
    }
    pool.shutdown();
    System.out.println(summary.line());
    summary.failed().forEach(r -> System.out.println(SimulationSummary.describeFailure(r,
        CiRun.of(r.seed(), r.nodes()).command())));
    assertThat(summary.failed()).as("failing seeds (replay commands printed above)").isEmpty();
  }

  /**
   * With {@code -Dfloe.sim.seed=S} (and the other settings of a replay command), replays that run
   * and prints what it saw. Without, checks that the replay command printed for a run replays it
   * exactly: for runs with every fault, and for one with settings other than the defaults.
   */
  @Test
  void replay() {
    if (System.getProperty("floe.sim.seed") != null) {
      SimulationReport r = CiRun.parse(System::getProperty).run();
      System.out.println("replayed: " + r.describe());
      assertThat(r.passed()).as(r.describe()).isTrue();
      return;
    }
    List<CiRun> runs = List.of(CiRun.of(31, 3), CiRun.of(32, 5),
        new CiRun(33, 3, 4_000, 8_000, 5, false, false));
    List<SimulationReport> firstRuns = runs.stream().map(CiRun::run).toList();
    for (int i = 0; i < runs.size(); i++) {
      String command = runs.get(i).command();
      Map<String, String> settings = CiRun.settingsOf(command);
      assertThat(settings).containsEntry("floe.sim.seed", Long.toString(runs.get(i).seed()));
      assertThat(CiRun.parse(settings::get).run()).as(command).isEqualTo(firstRuns.get(i));
    }
    assertThat(firstRuns.get(0).edgeFaults().pauses() + firstRuns.get(1).edgeFaults().pauses())
        .as("the runs replayed had pauses").isPositive();
    assertThat(runs.get(2).command()).contains("-Dfloe.sim.edgeFaults=false",
        "-Dfloe.sim.clients=5", "-Dfloe.sim.safetyMillis=4000");
  }

  @Test
  void theSameSeedReplaysTheSameRun() {
    SimulationReport a = Simulation.builder().nodes(3).seed(77).run();
    SimulationReport b = Simulation.builder().nodes(3).seed(77).run();
    assertThat(b).isEqualTo(a);
    assertThat(a.events()).isGreaterThan(1_000);
    assertThat(a.acknowledged()).isPositive();
  }

  /** The long campaign: see the class's documentation. */
  @Test
  @EnabledIfSystemProperty(named = "floe.sim.campaign", matches = "\\d+")
  void campaign() throws Exception {
    long runs = Long.getLong("floe.sim.campaign");
    long from = Long.getLong("floe.sim.campaign.from", 1_000_001L);
    int threads = Integer.getInteger("floe.sim.campaign.threads",
        Runtime.getRuntime().availableProcessors());
    boolean keepGoing = Boolean.getBoolean("floe.sim.campaign.keepGoing");
    SimulationSummary summary = new SimulationSummary();
    AtomicLong next = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong crashed = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      pool.submit(() -> {
        long i;
        while (!stop.get() && (i = next.getAndIncrement()) < runs) {
          long seed = from + i;
          int nodes = i % 5 < 3 ? 3 : 5;
          try {
            SimulationReport r = Simulation.builder().nodes(nodes).seed(seed).run();
            summary.add(r);
            if (!r.passed()) {
              System.out.println(SimulationSummary.describeFailure(r,
                  CiRun.of(seed, nodes).command()));
              stop.set(!keepGoing);
            }
          } catch (RuntimeException | Error e) {
            // A bug of the simulator itself: say which seed, and stop, whatever keepGoing says.
            System.out.printf("seed %d (%d nodes) threw:%n%s%n", seed, nodes,
                NodeFailures.stackTrace(e));
            crashed.incrementAndGet();
            stop.set(true);
          }
        }
      });
    }
    pool.shutdown();
    long startNanos = System.nanoTime();
    System.out.printf("campaign: %d seeds from %d on %d threads%n", runs, from, threads);
    while (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
      long done = summary.seeds();
      double perSecond = done / ((System.nanoTime() - startNanos) / 1e9);
      System.out.printf("campaign: %d of %d seeds, %d failing, %.1f seeds/s, about %.0f min left%n",
          done, runs, summary.failed().size(), perSecond,
          perSecond > 0 ? (runs - done) / perSecond / 60 : Double.NaN);
    }
    System.out.println(summary.line());
    for (SimulationReport r : summary.failed()) {
      System.out.printf("failing seed %d (%d nodes): %s%n", r.seed(), r.nodes(),
          CiRun.of(r.seed(), r.nodes()).command());
    }
    assertThat(crashed).as("seeds on which the simulator threw (printed above)").hasValue(0);
    assertThat(summary.failed()).as("failing seeds (replay commands printed above)").isEmpty();
    assertThat(summary.seeds()).as("seeds run").isEqualTo(runs);
  }
}
