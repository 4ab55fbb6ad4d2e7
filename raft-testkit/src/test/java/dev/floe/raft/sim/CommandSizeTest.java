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

import dev.floe.raft.CommandTooLargeException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
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
 * The largest command is one documented limit ({@link RaftOptions#maxCommandBytes()}): a larger
 * command is refused at submit, before anything is replicated, and a node whose transport could
 * not carry a command of that size refuses to start rather than choke on one later.
 */
class CommandSizeTest {
  private static final NodeId N1 = NodeId.of("n1");
  private RaftNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  /** A transport that carries nothing, with a limit on the size of what it would carry. */
  private static Transport limitedTo(int maxBytes) {
    return new Transport() {
      @Override
      public void start(ClusterId clusterId, NodeId self, Consumer<RaftMessage> inbound) {}

      @Override
      public void send(RaftMessage message) {}

      @Override
      public int maxMessageBytes() {
        return maxBytes;
      }

      @Override
      public void close() {}
    };
  }

  private RaftNode build(RaftOptions options, Transport transport) {
    node = RaftNode.builder().id(N1).clusterId(ClusterId.of("c")).members(List.of(N1))
        .stateMachine(new RegisterStateMachine()).transport(transport)
        .logStore(new InMemoryLogStore()).options(options).build();
    return node;
  }

  @Test
  void aCommandOverTheLimitIsRefusedAtSubmitAndNothingIsReplicated() throws Exception {
    RaftNode n = build(RaftOptions.builder().maxCommandBytes(1000).build(), limitedTo(1 << 20));
    n.start();

    CompletableFuture<SubmitResult> tooLarge = n.submit(new byte[1001]);

    assertThat(tooLarge).failsWithin(Duration.ofSeconds(1))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(CommandTooLargeException.class)
        .withMessageContaining("1001 bytes").withMessageContaining("maxCommandBytes (1000 bytes)");
    assertThat(n.status().lastIndex()).isZero();
  }

  @Test
  void aNodeWhoseTransportCannotCarryItsLargestCommandRefusesToStart() {
    RaftNode n = build(SimCluster.defaultOptions(), limitedTo(16 * 1024 * 1024));

    assertThatThrownBy(n::start).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxCommandBytes (16777216 bytes)")
        .hasMessageContaining("transport's largest message (16777216 bytes)");
  }
}
