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

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.NodeStoppedException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An exception out of the core means an invariant is broken: the node's state can no longer be
 * trusted. It used to be logged while the node ran on mid-way through its batch; now the node
 * stops taking part, as after a storage failure, and its status says why.
 */
class NodeFailureTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private RaftNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  /** A transport that keeps the node's inbound side, so a test can hand it any message. */
  private static final class Tap implements Transport {
    volatile Consumer<RaftMessage> inbound;

    @Override
    public void start(ClusterId clusterId, NodeId self, Consumer<RaftMessage> inbound) {
      this.inbound = inbound;
    }

    @Override
    public void send(RaftMessage message) {}

    @Override
    public void close() {}
  }

  @Test
  void aBrokenInvariantStopsTheNodeAndItsStatusSaysWhy() throws Exception {
    Tap tap = new Tap();
    node = RaftNode.builder().id(N1).clusterId(ClusterId.of("c")).members(List.of(N1))
        .stateMachine(new RegisterStateMachine()).transport(tap).logStore(new InMemoryLogStore())
        .build();
    node.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> node.status().isLeader());
    long term = node.status().term();

    // Another leader of this node's own term: impossible unless an invariant broke somewhere.
    tap.inbound.accept(new AppendRequest(N2, N1, term, 0, 0, List.of(), 0, 1));

    await().atMost(Duration.ofSeconds(10)).until(() -> node.status().role() == Role.STOPPED);
    assertThat(node.status().failure()).hasValueSatisfying(f -> assertThat(f)
        .contains("an internal check failed").contains("two leaders in term " + term));
    CompletableFuture<SubmitResult> after = node.submit("x".getBytes(UTF_8));
    assertThat(after).failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(NodeStoppedException.class);
  }
}
