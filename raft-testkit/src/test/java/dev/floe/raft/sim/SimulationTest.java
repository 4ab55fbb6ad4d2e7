package dev.floe.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private static final Pattern SIM_PROPERTY = Pattern.compile("-D(floe\\.sim\\.[A-Za-z.]+)=(\\S+)");

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
    summary.failed().forEach(r -> System.out.println(SimulationSummary.describeFailure(r)));
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
      SimulationReport r = replayed(System::getProperty);
      System.out.println("replayed: " + r + "\n" + r.finalState());
      assertThat(r.violations()).isEmpty();
      assertThat(r.live()).isTrue();
      return;
    }
    List<SimulationReport> firstRuns = List.of(
        Simulation.builder().nodes(3).seed(31).run(),
        Simulation.builder().nodes(5).seed(32).run(),
        Simulation.builder().nodes(3).seed(33).durations(4_000, 8_000).clients(5)
            .membershipChanges(false).edgeFaults(false).run());
    for (SimulationReport first : firstRuns) {
      Map<String, String> settings = settingsOf(first.replayCommand());
      assertThat(settings).containsEntry("floe.sim.seed", Long.toString(first.seed()));
      assertThat(replayed(settings::get)).as(first.replayCommand()).isEqualTo(first);
    }
    assertThat(firstRuns.get(0).edgeFaults().pauses() + firstRuns.get(1).edgeFaults().pauses())
        .as("the runs replayed had pauses").isPositive();
    assertThat(firstRuns.get(2).replayCommand()).contains("-Dfloe.sim.edgeFaults=false",
        "-Dfloe.sim.clients=5", "-Dfloe.sim.safetyMillis=4000");
  }

  /** The {@code -Dfloe.sim.*} settings a replay command gives. */
  private static Map<String, String> settingsOf(String command) {
    Map<String, String> settings = new TreeMap<>();
    Matcher m = SIM_PROPERTY.matcher(command);
    while (m.find()) {
      settings.put(m.group(1), m.group(2));
    }
    return settings;
  }

  /** Runs the simulation that the settings of a replay command describe. */
  private static SimulationReport replayed(Function<String, String> setting) {
    Simulation.Builder b = Simulation.builder()
        .seed(Long.parseLong(setting.apply("floe.sim.seed")))
        .nodes(Integer.parseInt(orDefault(setting, "floe.sim.nodes", "3")));
    String safety = setting.apply("floe.sim.safetyMillis");
    String liveness = setting.apply("floe.sim.livenessMillis");
    if (safety != null || liveness != null) {
      b.durations(Long.parseLong(safety != null ? safety : "10000"),
          Long.parseLong(liveness != null ? liveness : "10000"));
    }
    if (setting.apply("floe.sim.clients") != null) {
      b.clients(Integer.parseInt(setting.apply("floe.sim.clients")));
    }
    b.membershipChanges(Boolean.parseBoolean(orDefault(setting, "floe.sim.membershipChanges",
        "true")));
    b.edgeFaults(Boolean.parseBoolean(orDefault(setting, "floe.sim.edgeFaults", "true")));
    return b.run();
  }

  private static String orDefault(Function<String, String> setting, String name, String value) {
    String v = setting.apply(name);
    return v != null ? v : value;
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
              System.out.println(SimulationSummary.describeFailure(r));
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
      System.out.printf("failing seed %d (%d nodes): %s%n", r.seed(), r.nodes(), r.replayCommand());
    }
    assertThat(crashed).as("seeds on which the simulator threw (printed above)").hasValue(0);
    assertThat(summary.failed()).as("failing seeds (replay commands printed above)").isEmpty();
    assertThat(summary.seeds()).as("seeds run").isEqualTo(runs);
  }
}
