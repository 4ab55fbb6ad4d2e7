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

import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link SimulationTest}: one invocation per seed, the seed handed to
 * the method's {@code long} parameter. The system properties {@code floe.sim.replay} (seeds,
 * comma-separated) and {@code floe.sim.seeds} (a count) override the annotation.
 */
final class SimulationSeeds implements TestTemplateInvocationContextProvider {
  /** Replays only these seeds, comma-separated, in every {@link SimulationTest}. */
  static final String REPLAY_PROPERTY = "floe.sim.replay";
  /** Runs this many seeds instead of the annotation's count. */
  static final String SEEDS_PROPERTY = "floe.sim.seeds";

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return context.getTestMethod()
        .map(m -> AnnotationSupport.isAnnotated(m, SimulationTest.class)).orElse(false);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(
      ExtensionContext context) {
    SimulationTest test = context.getTestMethod()
        .flatMap(m -> AnnotationSupport.findAnnotation(m, SimulationTest.class)).orElseThrow();
    return seeds(test, System.getProperty(REPLAY_PROPERTY), System.getProperty(SEEDS_PROPERTY))
        .stream().map(Invocation::new);
  }

  /**
   * The seeds to run: those of {@code replayProperty} if set, else the annotation's replay seeds,
   * else {@code count} (the property, or the annotation's) from its first seed.
   *
   * @throws IllegalArgumentException naming the property or attribute that is malformed
   */
  static List<Long> seeds(SimulationTest test, String replayProperty, String countProperty) {
    if (replayProperty != null && !replayProperty.isBlank()) {
      try {
        return Arrays.stream(replayProperty.split(",")).map(String::strip).map(Long::valueOf)
            .toList();
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("-D" + REPLAY_PROPERTY + " must be seeds separated by"
            + " commas, such as 4711 or 4711,4712: " + replayProperty, e);
      }
    }
    if (test.replay().length > 0) {
      return Arrays.stream(test.replay()).boxed().toList();
    }
    int count = test.seeds();
    if (countProperty != null && !countProperty.isBlank()) {
      try {
        count = Integer.parseInt(countProperty.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("-D" + SEEDS_PROPERTY + " must be a number of seeds: "
            + countProperty, e);
      }
    }
    if (count < 1) {
      throw new IllegalArgumentException("@SimulationTest needs at least one seed: " + count);
    }
    return LongStream.range(0, count).map(i -> test.firstSeed() + i).boxed().toList();
  }

  /** One run: named by its seed, which it hands to the method's {@code long} parameter. */
  private record Invocation(long seed) implements TestTemplateInvocationContext {
    @Override
    public String getDisplayName(int invocationIndex) {
      return "seed " + seed;
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
      return List.of(new ParameterResolver() {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
          Class<?> type = parameter.getParameter().getType();
          return type == long.class || type == Long.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
            throws ParameterResolutionException {
          return seed;
        }
      });
    }
  }
}
