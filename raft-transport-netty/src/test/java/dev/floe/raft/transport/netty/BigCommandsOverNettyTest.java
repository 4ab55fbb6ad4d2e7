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
package dev.floe.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.NodeEvent;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.storage.file.FileLogStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leadership holds under bulk data: three nodes on real files and sockets, with the library's
 * default timeouts, take a stream of commands of the largest size (16 MiB), each forced to the log
 * on every node and then written and forced again by the state machine (a large apply, whose
 * writes compete with the log's for the disk). No election may happen once the first leader is
 * elected: counted from the nodes' events, not from timing.
 */
class BigCommandsOverNettyTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int COMMANDS = 8;
  private final List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private final Map<NodeId, RaftNode> nodes = new ConcurrentHashMap<>();
  private final Map<NodeId, NettyTransport> transports = new ConcurrentHashMap<>();
  private final List<NodeEvent> events = new CopyOnWriteArrayList<>();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    nodes.values().forEach(RaftNode::close);
  }

  /** Appends every command to a file of its own and forces it: a large, disk-bound apply. */
  private static StateMachine writingTo(Path file) {
    return new StateMachine() {
      @Override
      public byte[] apply(long index, byte[] command) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
          ByteBuffer b = ByteBuffer.wrap(command);
          while (b.hasRemaining()) {
            ch.write(b);
          }
          ch.force(false);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return new byte[0];
      }
    };
  }

  @Test
  void aStreamOfSixteenMebibyteCommandsCausesNoElection() throws Exception {
    ClusterId cluster = ClusterId.random();
    Map<NodeId, InetSocketAddress> all = FreePorts.on127(ids);
    for (NodeId id : ids) {
      NettyTransport transport =
          new NettyTransport(Cluster.defaults(all.get(id).getPort()).peers(all).build());
      RaftNode node = RaftNode.builder().id(id).clusterId(cluster).members(ids)
          .stateMachine(writingTo(dir.resolve(id.value() + ".state")))
          .transport(transport).logStore(new FileLogStore(dir.resolve(id.value())))
          .options(RaftOptions.defaults()).listener(events::add).build();
      node.start();
      transports.put(id, transport);
      nodes.put(id, node);
    }
    RaftNode leader = await().atMost(WAIT).until(() -> nodes.values().stream()
        .filter(n -> n.status().isLeader()).findFirst().orElse(null), n -> n != null);
    await().atMost(WAIT).until(() -> leader.status().appliedIndex() >= 1);
    int electionsBefore = campaigns();

    long last = 0;
    for (int i = 0; i < COMMANDS; i++) {
      // A new array each time: a submitted array becomes the entry itself and must not change.
      byte[] command = new byte[RaftOptions.DEFAULT_MAX_COMMAND_BYTES];
      command[0] = (byte) i;
      SubmitResult r;
      try {
        r = leader.submit(command).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new AssertionError("command " + i + " failed; events: " + events, e);
      }
      last = r.index();
    }
    long committed = last;
    await().atMost(WAIT).until(() -> nodes.values().stream().map(RaftNode::status)
        .allMatch(s -> s.appliedIndex() >= committed));

    assertThat(campaigns()).as("campaigns during the stream: %s", events)
        .isEqualTo(electionsBefore);
    assertThat(nodes.values()).allMatch(n -> n.status().term() == leader.status().term());
    assertThat(leader.status().role()).isEqualTo(Role.LEADER);
    assertThat(nodes.values().stream().map(RaftNode::status).map(RaftStatus::leader))
        .allMatch(l -> l.isPresent() && l.get().equals(leader.id()));
  }

  private int campaigns() {
    return (int) events.stream().filter(e -> e instanceof NodeEvent.RoleChanged r
        && r.role() == Role.CANDIDATE).count();
  }
}
