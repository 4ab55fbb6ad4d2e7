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
