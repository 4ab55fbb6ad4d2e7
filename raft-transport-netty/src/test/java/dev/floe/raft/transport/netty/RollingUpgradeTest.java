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
import dev.floe.raft.RaftStatus;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.storage.file.FileLogStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling upgrade, one node at a time: three RaftNodes on real sockets and files, of which n3
 * still runs the previous release's protocol (version 4, the {@link Version4Handshake} fixture).
 * The cluster takes writes through n3, serves linearizable reads from it, changes leader to it
 * and away from it; then n3 is upgraded in place (stopped, restarted on the same port and data
 * directory speaking version 5) and the cluster goes on, now speaking version 5 everywhere.
 */
@ExtendWith(LeakCheck.class)
class RollingUpgradeTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final List<NodeId> IDS = List.of(N1, N2, N3);

  private final Map<NodeId, RaftNode> nodes = new ConcurrentHashMap<>();
  private final Map<NodeId, NettyTransport> transports = new ConcurrentHashMap<>();
  private final Map<NodeId, AtomicLong> counters = new ConcurrentHashMap<>();
  private Map<NodeId, InetSocketAddress> addresses;

  @TempDir Path dir;

  @AfterEach
  void stop() {
    nodes.values().forEach(RaftNode::close);
  }

  /** A counter: each command adds its number; a query reads the sum. */
  private StateMachine counter(NodeId id) {
    AtomicLong sum = new AtomicLong();
    counters.put(id, sum);
    return new StateMachine() {
      @Override
      public byte[] apply(long index, byte[] command) {
        return Long.toString(sum.addAndGet(Long.parseLong(new String(command, UTF_8))))
            .getBytes(UTF_8);
      }

      @Override
      public byte[] query(byte[] query) {
        return Long.toString(sum.get()).getBytes(UTF_8);
      }
    };
  }

  private void startNode(NodeId id, HandshakeDialect dialect) throws IOException {
    NettyTransport transport = new NettyTransport(
        Cluster.defaults(addresses.get(id).getPort()).peers(addresses).build(), dialect);
    RaftNode node = RaftNode.builder().id(id).clusterId(Cluster.CLUSTER).members(IDS)
        .stateMachine(counter(id)).transport(transport)
        .logStore(new FileLogStore(dir.resolve(id.value()))).build();
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

  /** Submits through {@code via} (forwarded to the leader if it is a follower), retrying. */
  private long add(NodeId via, long amount) {
    SubmitResult r = await().atMost(WAIT).until(() -> {
      try {
        return nodes.get(via).submit(Long.toString(amount).getBytes(UTF_8))
            .get(5, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof NotLeaderException) {
          return null;
        }
        throw e;
      } catch (TimeoutException e) {
        return null;
      }
    }, x -> x != null);
    return Long.parseLong(new String(r.result(), UTF_8));
  }

  private long read(NodeId via) throws Exception {
    return await().atMost(WAIT).until(() -> {
      try {
        return Long.parseLong(new String(nodes.get(via).query(new byte[0],
            ReadConsistency.LINEARIZABLE).get(5, TimeUnit.SECONDS), UTF_8));
      } catch (ExecutionException | TimeoutException e) {
        return null;
      }
    }, x -> x != null);
  }

  private void transferTo(NodeId target) {
    await().atMost(WAIT).untilAsserted(() -> {
      NodeId leader = awaitLeader();
      if (!leader.equals(target)) {
        nodes.get(leader).transferLeadership(target).get(10, TimeUnit.SECONDS);
      }
      assertThat(awaitLeader()).isEqualTo(target);
    });
  }

  /**
   * Asserts the protocol version of the connections between n3 and the two others, both ways;
   * call it while n3 leads, so that all four are up.
   */
  private void assertN3Speaks(int version) {
    for (NodeId other : List.of(N1, N2)) {
      assertVersion(N3, other, version);
      assertVersion(other, N3, version);
    }
  }

  private void assertVersion(NodeId from, NodeId to, int version) {
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        transports.get(from).protocolVersionTo(to, Lane.CONTROL))
        .as("%s to %s", from, to).isEqualTo(version));
  }

  @Test
  void aClusterWithANodeOfThePreviousReleaseWorksAndThatNodeIsUpgradedInPlace()
      throws Exception {
    addresses = FreePorts.on127(IDS);
    startNode(N1, HandshakeDialect.CURRENT);
    startNode(N2, HandshakeDialect.CURRENT);
    startNode(N3, Version4Handshake.INSTANCE);
    awaitLeader();

    // Writes through the old node, and a read from it.
    assertThat(add(N3, 1)).isEqualTo(1);
    assertThat(add(N1, 2)).isEqualTo(3);
    assertThat(read(N3)).isEqualTo(3);

    // A leader change to the old node, writes through it as leader, and away from it again.
    transferTo(N3);
    assertN3Speaks(4);
    assertThat(add(N3, 4)).isEqualTo(7);
    assertThat(add(N2, 8)).isEqualTo(15);
    assertThat(read(N1)).isEqualTo(15);
    transferTo(N1);
    assertVersion(N1, N2, WireFormat.VERSION);
    assertVersion(N2, N1, WireFormat.VERSION);
    assertThat(add(N3, 16)).isEqualTo(31);

    // The upgrade: n3 stops and comes back on the same port and data directory, speaking 5.
    nodes.remove(N3).close();
    assertThat(add(N1, 32)).isEqualTo(63); // the two others are a majority meanwhile
    startNode(N3, HandshakeDialect.CURRENT);

    assertThat(add(N3, 64)).isEqualTo(127);
    assertThat(read(N3)).isEqualTo(127);
    transferTo(N3);
    assertN3Speaks(WireFormat.VERSION);
    assertThat(add(N2, 128)).isEqualTo(255);
    for (NodeId id : IDS) {
      await().atMost(WAIT).until(() -> counters.get(id).get() == 255);
    }
  }
}
