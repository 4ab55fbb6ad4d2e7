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

import dev.floe.raft.RaftOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The check "leadership is stable under load" (issue 20): in loaded runs the disks flush in 10 to
 * 200 ms and a calm phase (every node up, the network healthy) carries commands up to the largest
 * size; a leader change in it is a violation. These runs have a calm phase every time.
 */
class LeadershipUnderLoadTest {

  private static Simulation.Builder loaded(long seed) {
    return Simulation.builder().seed(seed).calmPhasesUnderLoad(100);
  }

  @Test
  void theLeaderHoldsThroughCalmPhasesOfMebibyteCommandsOnSlowDisks() {
    for (long seed = 1; seed <= 8; seed++) {
      SimulationReport r = loaded(seed).nodes(seed % 2 == 0 ? 5 : 3).run();
      assertThat(r.passed()).as(r.describe()).isTrue();
      assertThat(r.load().calmPhases()).as("seed %d watched its calm phase", seed).isOne();
      assertThat(r.load().largeCommands()).as("seed %d", seed).isPositive();
      assertThat(r.load().slowSyncs()).as("seed %d", seed).isPositive();
    }
  }

  /**
   * The check finds what it is for: with heartbeats and votes on the same lane as the entries (as
   * before bulk data got a connection of its own) and a link of 4 MB/s, a mebibyte AppendEntries
   * holds the heartbeats behind it for longer than an election timeout.
   */
  @Test
  void heartbeatsQueuedBehindLargeEntriesOnASlowLinkAreReportedAsALeaderChange() {
    List<String> found = new ArrayList<>();
    LongStream.rangeClosed(1, 6).forEach(seed -> {
      // The simulator's short elections (loaded runs otherwise keep the library's 500-1000 ms).
      SimulationReport r = loaded(seed).options(RaftOptions.builder().electionTimeout(150, 300)
          .maxCommandBytes(1 << 20).build()).network(c -> {
        c.separateBulkLane(false);
        c.setBandwidth(4_000_000);
      }).run();
      r.violations().stream().filter(v -> v.startsWith("at ") && v.contains(
          "leadership is stable under load")).forEach(found::add);
    });
    assertThat(found).isNotEmpty();
    assertThat(found.get(0)).contains("ms into a calm phase in which", "disks flushing in 10..200"
        + " ms; commands up to 1048576 bytes");
  }

  /**
   * With the nodes' default largest command, 16 MiB: two seeds (each costs hundreds of megabytes
   * of commands, and about 15 s), both of which reach the maximum. (A quarter of the large
   * commands are at the maximum; which seeds draw one depends on the driver's task order and on
   * which entries the leader holds in memory, since a batch read back from the log never mixes
   * with entries held: since small batches are synced in a task of their own, seeds 1 and 2 no
   * longer do, and since applied entries leave memory once every follower has them, seed 3 does
   * not either.)
   */
  @Test
  void theLeaderHoldsThroughCalmPhasesOfSixteenMebibyteCommands() {
    for (long seed : new long[] {5, 7}) {
      SimulationReport r = loaded(seed).options(RaftOptions.defaults()).run();
      assertThat(r.passed()).as(r.describe()).isTrue();
      assertThat(r.load().maxCommandBytes()).isEqualTo(16 << 20);
      assertThat(r.load().calmPhases()).isOne();
      assertThat(r.load().maxSizeCommands()).isPositive();
    }
  }
}
