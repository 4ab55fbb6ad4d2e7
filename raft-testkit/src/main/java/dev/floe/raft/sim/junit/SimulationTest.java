package dev.floe.raft.sim.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a JUnit 5 test method once per simulation seed, each run shown as {@code seed N} and handed
 * its seed as the method's {@code long} parameter:
 *
 * <pre>{@code
 * @SimulationTest(seeds = 50)
 * void counterMapIsCorrect(long seed) {
 *   Simulation.builder().seed(seed).stateMachine(CounterMap::new)
 *       .workload(CounterWorkload::new).model(CounterModel::new).run().assertPassed();
 * }
 * }</pre>
 *
 * <p>A failing run's report names its seed and how to replay it: {@code @SimulationTest(replay =
 * 4711)} runs only that seed; so does {@code -Dfloe.sim.replay=4711} (a comma-separated list of
 * seeds), for every such test, without changing the code. {@code -Dfloe.sim.seeds=N} runs {@code
 * N} seeds instead of {@link #seeds()}, for a longer campaign.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(SimulationSeeds.class)
public @interface SimulationTest {
  /** {@return how many seeds to run, from {@link #firstSeed()} on (default 10)} */
  int seeds() default 10;

  /** {@return the first seed (default 1)} */
  long firstSeed() default 1;

  /** {@return the seeds to replay: when given, only these run} */
  long[] replay() default {};
}
