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
package dev.floe.raft.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.floe.raft.cluster.NodeId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCensusTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final Map<NodeId, Integer> PORTS = ports();

  private static Map<NodeId, Integer> ports() {
    Map<NodeId, Integer> ports = new LinkedHashMap<>();
    ports.put(N1, 40001);
    ports.put(N2, 40002);
    return ports;
  }

  @Test
  void threadsAreAssignedByNodeIdOrPortInTheirName() {
    ThreadCensus census = ThreadCensus.of(List.of("floe-apply-n1", "floe-log-sync-n1",
        "floe-netty-40001-2-1", "floe-apply-n2", "floe-netty-40002-3-1", "main",
        "floe-something-else"), PORTS);

    assertThat(census.threadsOf(N1))
        .containsExactly("floe-apply-n1", "floe-log-sync-n1", "floe-netty-40001-2-1");
    assertThat(census.threadsOf(N2)).containsExactly("floe-apply-n2", "floe-netty-40002-3-1");
    assertThat(census.unassigned()).containsExactly("floe-something-else");
  }

  @Test
  void lineGivesOneCountWhenEveryNodeRunsAsManyAndMarksOtherJvms() {
    ThreadCensus same = ThreadCensus.of(List.of("floe-apply-n1", "floe-apply-n2"), PORTS);
    ThreadCensus differ = ThreadCensus.of(List.of("floe-apply-n1", "floe-apply-n2",
        "floe-events-n2"), PORTS);

    assertThat(same.line(List.of()))
        .isEqualTo("threads per node: 1 (n1: floe-apply-n1; n2: floe-apply-n2)");
    assertThat(differ.line(List.of()))
        .isEqualTo("threads per node: n1 1, n2 2 (n1: floe-apply-n1; n2: floe-apply-n2, floe-events-n2)");
    assertThat(same.line(List.of(N2)))
        .isEqualTo("threads per node: 1 (n1: floe-apply-n1); n2: n/a (other JVMs)");
  }
}
