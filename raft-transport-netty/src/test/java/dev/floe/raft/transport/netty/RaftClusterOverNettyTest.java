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

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.NotLeaderException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftNodeBuilder;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.storage.file.FileLogStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Three real RaftNodes over NettyTransport and FileLogStore on loopback. */
@ExtendWith(LeakCheck.class)
class RaftClusterOverNettyTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private final Map<NodeId, RaftNode> nodes = new ConcurrentHashMap<>();
  private final Map<NodeId, NettyTransport> transports = new ConcurrentHashMap<>();
  private final Map<NodeId, List<String>> applied = new ConcurrentHashMap<>();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    nodes.values().forEach(RaftNode::close);
  }

  private StateMachine machine(NodeId id) {
    List<String> log = new CopyOnWriteArrayList<>();
    applied.put(id, log);
    return (index, command) -> {
      log.add(new String(command, UTF_8));
      return ("ok " + index).getBytes(UTF_8);
    };
  }

  private void startNode(NodeId id, int port, Map<NodeId, InetSocketAddress> peers)
      throws IOException {
    startNode(id, port, peers, false);
  }

  private void startNode(NodeId id, int port, Map<NodeId, InetSocketAddress> peers, boolean join)
      throws IOException {
    NettyTransport transport = new NettyTransport(Cluster.defaults(port).peers(peers).build());
    RaftNodeBuilder b = RaftNode.builder().id(id).clusterId(Cluster.CLUSTER).stateMachine(machine(id))
        .transport(transport).logStore(new FileLogStore(dir.resolve(id.value())));
    RaftNode node = (join ? b.join() : b.members(ids)).build();
    node.start();
    transports.put(id, transport);
    nodes.put(id, node);
  }

  private NodeId awaitLeader() {
    return await().atMost(WAIT).until(
        () -> nodes.values().stream().map(RaftNode::status).filter(RaftStatus::isLeader)
            .map(RaftStatus::id).findFirst().orElse(null),
        id -> id != null);
  }

  /** Submits through the current leader, retrying while leadership settles. */
  private SubmitResult submit(String value) {
    return await().atMost(WAIT).until(() -> {
      NodeId leader = awaitLeader();
      try {
        return nodes.get(leader).submit(value.getBytes(UTF_8)).get(5, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof NotLeaderException) {
          return null;
        }
        throw e;
      } catch (TimeoutException e) {
        return null;
      }
    }, r -> r != null);
  }

  @Test
  void threeNodesElectALeaderReplicateAndResumeAfterARestart() throws IOException {
    Map<NodeId, InetSocketAddress> all = FreePorts.on127(ids);
    for (NodeId id : ids) {
      startNode(id, all.get(id).getPort(), all);
    }

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String v = "before-" + i;
      SubmitResult r = submit(v);
      assertThat(new String(r.result(), UTF_8)).isEqualTo("ok " + r.index());
      expected.add(v);
    }
    for (NodeId id : ids) {
      await().atMost(WAIT).untilAsserted(
          () -> assertThat(applied.get(id)).containsExactlyElementsOf(expected));
    }

    // Restart the leader on the same port and data directory: a new leader is elected, the old
    // one's peers redial it, and it recovers its log from disk and catches up.
    NodeId restarted = awaitLeader();
    int port = transports.get(restarted).localAddress().getPort();
    nodes.remove(restarted).close();
    startNode(restarted, port, all);

    for (int i = 0; i < 10; i++) {
      String v = "after-" + i;
      submit(v);
      expected.add(v);
    }
    for (NodeId id : ids) {
      await().atMost(WAIT).untilAsserted(
          () -> assertThat(applied.get(id)).containsExactlyElementsOf(expected));
    }
  }

  @Test
  void aNodeAddedWhileTheClusterRunsIsReachedAtTheAddressItsConfigurationCarries()
      throws Exception {
    Map<NodeId, InetSocketAddress> initial = FreePorts.on127(ids);
    for (NodeId id : ids) {
      startNode(id, initial.get(id).getPort(), initial);
    }
    submit("before");

    // n4 knows the members' addresses; they learn its address only from the log.
    NodeId n4 = NodeId.of("n4");
    startNode(n4, 0, initial, true);
    assertThat(nodes.get(n4).configuration().isEmpty()).isTrue();
    String address = "127.0.0.1:" + transports.get(n4).localAddress().getPort();
    NodeId leader = awaitLeader();
    var configuration = nodes.get(leader).addVoter(n4, address).get(20, TimeUnit.SECONDS);
    assertThat(configuration.voters()).contains(n4);
    assertThat(configuration.address(n4)).contains(address);

    submit("after");
    await().atMost(WAIT).untilAsserted(
        () -> assertThat(applied.get(n4)).containsExactly("before", "after"));
    for (NodeId id : ids) {
      await().atMost(WAIT).untilAsserted(
          () -> assertThat(nodes.get(id).configuration()).isEqualTo(configuration));
    }
  }
}
