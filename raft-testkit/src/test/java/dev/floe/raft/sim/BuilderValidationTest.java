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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.RaftNode;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StateMachine;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Settings that cannot work are refused when the node is built, with a message that says why. */
class BuilderValidationTest {
  private static final NodeId N1 = NodeId.of("n1");
  private final InProcessNetwork network = new InProcessNetwork();

  /** A state machine that keeps the StateMachine defaults, which take no snapshots. */
  private static final class NoSnapshots implements StateMachine {
    @Override
    public byte[] apply(long index, byte[] command) {
      return command;
    }
  }

  @Test
  void snapshotsWithAStateMachineThatCannotTakeThemAreRefusedAtBuild() {
    assertThatThrownBy(() -> RaftNode.builder().id(N1).clusterId(ClusterId.of("c"))
        .members(List.of(N1)).stateMachine(new NoSnapshots()).transport(network.transport(N1))
        .logStore(new InMemoryLogStore())
        .snapshots(new InMemorySnapshotStore(), SnapshotOptions.defaults()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(NoSnapshots.class.getName())
        .hasMessageContaining("does not implement StateMachine.snapshot");
  }

  @Test
  void snapshotsWithAStateMachineThatTakesThemBuild() {
    RaftNode node = RaftNode.builder().id(N1).clusterId(ClusterId.of("c")).members(List.of(N1))
        .stateMachine(new RegisterStateMachine()).transport(network.transport(N1))
        .logStore(new InMemoryLogStore())
        .snapshots(new InMemorySnapshotStore(), SnapshotOptions.defaults()).build();
    assertThat(node.id()).isEqualTo(N1);
  }
}
