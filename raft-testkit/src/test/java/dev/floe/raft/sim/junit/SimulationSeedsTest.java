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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@link SimulationTest} runs one invocation per seed and hands each its seed. */
class SimulationSeedsTest {
  private static final List<Long> SEEN = new ArrayList<>();

  @SimulationTest(seeds = 3, firstSeed = 40)
  void eachSeedRunsOnce(long seed) {
    SEEN.add(seed);
  }

  @AfterAll
  static void everySeedRan() {
    // Unless the replay property picked other seeds for this whole run.
    if (System.getProperty(SimulationSeeds.REPLAY_PROPERTY) == null
        && System.getProperty(SimulationSeeds.SEEDS_PROPERTY) == null) {
      assertThat(SEEN).containsExactly(40L, 41L, 42L);
    }
  }

  private static SimulationTest annotationOf(String method) throws Exception {
    return Annotated.class.getDeclaredMethod(method, long.class)
        .getAnnotation(SimulationTest.class);
  }

  @Test
  void theSeedsAreTheCountFromTheFirstSeedOrThoseToReplay() throws Exception {
    assertThat(SimulationSeeds.seeds(annotationOf("annotated"), null, null))
        .containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(SimulationSeeds.seeds(annotationOf("replaying"), null, null))
        .containsExactly(7L, 9L);
  }

  @Test
  void thePropertiesOverrideTheAnnotation() throws Exception {
    assertThat(SimulationSeeds.seeds(annotationOf("annotated"), " 4711, 12 ", null))
        .containsExactly(4711L, 12L);
    assertThat(SimulationSeeds.seeds(annotationOf("replaying"), null, "2"))
        .containsExactly(7L, 9L);
    assertThat(SimulationSeeds.seeds(annotationOf("annotated"), null, "2"))
        .containsExactly(1L, 2L);
  }

  @Test
  void aMalformedPropertyIsNamed() throws Exception {
    assertThatThrownBy(() -> SimulationSeeds.seeds(annotationOf("annotated"), "47x1", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-Dfloe.sim.replay")
        .hasMessageContaining("47x1");
    assertThatThrownBy(() -> SimulationSeeds.seeds(annotationOf("annotated"), null, "many"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-Dfloe.sim.seeds");
  }
}

/** Annotations to read, on methods that no test engine runs (the class is no test class). */
final class Annotated {
  @SimulationTest(seeds = 5)
  void annotated(long seed) {}

  @SimulationTest(replay = {7, 9})
  void replaying(long seed) {}
}
