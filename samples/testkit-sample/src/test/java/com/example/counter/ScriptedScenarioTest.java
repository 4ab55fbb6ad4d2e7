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

import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.sim.SimCluster;
import org.junit.jupiter.api.Test;

/** One scripted scenario on a {@link SimCluster}: the faults a test chooses, in its order. */
class ScriptedScenarioTest {

  @Test
  void aCounterAddedThroughANewLeaderSurvivesTheOldLeadersIsolation() {
    SimCluster cluster = SimCluster.start(3, 42, SimCluster.defaultOptions(), CounterMap::new);
    NodeId first = cluster.awaitLeader(5_000);
    cluster.submitAndWait(first, CounterCommands.add("apples", 5), 5_000).join();

    cluster.isolate(first); // cut off from both others, both ways
    NodeId second = cluster.awaitLeaderOtherThan(first, 5_000);
    SubmitResult r = cluster.submitAndWait(second, CounterCommands.add("apples", 2), 5_000).join();
    assertThat(CounterCommands.number(r.result())).isEqualTo(7);

    cluster.heal();
    cluster.runUntil(() -> cluster.applied(first).size() == cluster.applied(second).size(), 5_000);
    assertThat(cluster.applied(first)).containsExactlyElementsOf(cluster.applied(second));
    assertThat(cluster.violations()).isEmpty(); // Raft's safety, checked after every event
  }
}
