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
package com.example.counter;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.Guide;
import dev.floe.raft.sim.Simulation;
import dev.floe.raft.sim.SimulationReport;
import dev.floe.raft.sim.junit.SimulationTest;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A failing run is replayed in the user's own project from what its report says: the annotation
 * it prints, pasted on a test, runs that seed again, and the run is the same. Its report is the
 * one {@code docs/testing.md} shows.
 */
class ReplayFromTheReportTest {
  /** The seed whose report the annotation below was pasted from. */
  private static final long FAILING_SEED = 1;

  private static SimulationReport asciiSnapshots(long seed) {
    return Simulation.builder().seed(seed)
        .stateMachine(BuggyCounterMaps.AsciiSnapshots::new, CounterMap::digest)
        .workload(CounterWorkload::new)
        .model(CounterModel::new)
        .run();
  }

  @Test
  void theReportPrintsTheAnnotationThatReplaysIt() {
    SimulationReport r = asciiSnapshots(FAILING_SEED);
    assertThat(r.passed()).isFalse();
    assertThat(r.replay()).contains("@SimulationTest(replay = 1)");
    assertThat(r.describe()).endsWith(r.replay());
  }

  @SimulationTest(replay = 1) // pasted from the report of seed 1
  void thePastedAnnotationReplaysTheSameRun(long seed) {
    assertThat(seed).isEqualTo(FAILING_SEED);
    SimulationReport replayed = asciiSnapshots(seed);
    assertThat(replayed.passed()).isFalse();
    assertThat(replayed).isEqualTo(asciiSnapshots(FAILING_SEED));
  }

  /**
   * The failing report that {@code docs/testing.md} shows, abridged, is this seed's: its pieces
   * (between the {@code ...} that abridge it) are the report's text, in the same order, with any
   * number in them standing for any other (the counts change with every change to Floe's timing;
   * the lines, the checks and their wording must not), and its replay line is this one.
   */
  @Test
  void theGuideShowsThisReport() {
    String shown = Guide.blockAfter("<!-- the report of ReplayFromTheReportTest -->", "");
    SimulationReport r = asciiSnapshots(FAILING_SEED);
    String actual = shape(r.describe());
    int at = 0;
    for (String piece : shape(shown).split(Pattern.quote("..."))) {
      String p = piece.strip();
      int found = p.isEmpty() ? at : actual.indexOf(p, at);
      assertThat(found).as("docs/testing.md's report has \"%s\" where this seed's has not;"
          + " its report is now:%n%s", p, r.describe()).isNotNegative();
      at = found + p.length();
    }
    assertThat(shown.replaceAll("\\s+", " ")).contains(r.replay().replaceAll("\\s+", " "));
  }

  /** The text with its whitespace collapsed and each number (decimal, or 0x hex) made {@code #}. */
  private static String shape(String text) {
    return text.replaceAll("\\s+", " ").replaceAll("0x[0-9a-f]+", "0x#").replaceAll("\\d+", "#");
  }
}
