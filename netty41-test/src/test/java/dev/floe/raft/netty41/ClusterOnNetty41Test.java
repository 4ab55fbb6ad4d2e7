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
package dev.floe.raft.netty41;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.NotLeaderException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.storage.file.FileLogStore;
import dev.floe.raft.transport.netty.IoMode;
import dev.floe.raft.transport.netty.NettyTransport;
import dev.floe.raft.transport.netty.NettyTransportOptions;
import io.netty.util.Version;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A three-node cluster on Floe's Netty transport, built against Netty 4.2, in a JVM whose class
 * path carries Netty 4.1 only, as an application on the 4.1 line has it: through the public API
 * alone, it elects, replicates, reads, survives the leader's restart, over NIO and native epoll,
 * in plaintext and in mutual TLS with an encrypted key.
 */
class ClusterOnNetty41Test {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final List<NodeId> IDS =
      List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));

  private final Map<NodeId, RaftNode> nodes = new ConcurrentHashMap<>();
  private final Map<NodeId, NettyTransport> transports = new ConcurrentHashMap<>();
  private final Map<NodeId, AtomicLong> sums = new ConcurrentHashMap<>();
  private final ClusterId cluster = ClusterId.random();
  private Map<NodeId, InetSocketAddress> addresses;

  @TempDir Path dir;

  @AfterEach
  void stop() {
    nodes.values().forEach(RaftNode::close);
  }

  @Test
  void theClassPathCarriesNetty41AndNothingOf42() {
    String expected = System.getProperty("netty41.version");
    assertThat(Version.identify()).isNotEmpty()
        .allSatisfy((artifact, version) ->
            assertThat(version.artifactVersion()).as(artifact).isEqualTo(expected));
    // A class that only Netty 4.2 has, which the transport used to need.
    assertThatThrownBy(() -> Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @ParameterizedTest(name = "native transport: {0}")
  @ValueSource(booleans = {true, false})
  void threeNodesReplicateReadAndSurviveTheLeadersRestart(boolean nativeTransport)
      throws Exception {
    startCluster(b -> b.nativeTransport(nativeTransport));
    IoMode expected = nativeTransport && epollAvailable() ? IoMode.EPOLL : IoMode.NIO;
    assertThat(transports.values()).allMatch(t -> t.ioMode() == expected);

    assertThat(add(IDS.get(1), 1)).isEqualTo(1);
    assertThat(add(IDS.get(2), 2)).isEqualTo(3);
    assertThat(read(IDS.get(0))).isEqualTo(3);

    NodeId leader = awaitLeader();
    nodes.remove(leader).close();
    assertThat(add(IDS.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow(), 4))
        .isEqualTo(7);
    startNode(leader, b -> b.nativeTransport(nativeTransport));
    assertThat(add(leader, 8)).isEqualTo(15);
    await().atMost(WAIT).until(() -> sums.get(leader).get() == 15);
  }

  @Test
  void threeNodesOverMutualTlsWithAnEncryptedKey() throws Exception {
    Certificates certs = new Certificates(dir);
    Path ca = certs.createCa();
    Map<NodeId, Path> keys = new LinkedHashMap<>();
    for (NodeId id : IDS) {
      certs.createNode(id.value());
      keys.put(id, certs.encryptKey(id.value(), "pass-" + id));
    }
    startClusterEach(id -> b -> b.mutualTls(keys.get(id), certs.file(id + ".crt"), ca)
        .tlsPrivateKeyPassword(("pass-" + id).toCharArray())
        .tlsHostnameVerification(true));

    assertThat(add(IDS.get(2), 5)).isEqualTo(5);
    assertThat(read(IDS.get(1))).isEqualTo(5);
    transports.get(IDS.get(0)).reloadTls();
    NodeId leader = awaitLeader();
    nodes.remove(leader).close();
    NodeId other = IDS.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    assertThat(add(other, 6)).isEqualTo(11);
  }

  // ------------------------------------------------------------------------------ the cluster

  private static boolean epollAvailable() {
    try {
      return (boolean) Class.forName("io.netty.channel.epoll.Epoll")
          .getMethod("isAvailable").invoke(null);
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  private void startCluster(UnaryOperator<NettyTransportOptions.Builder> customize)
      throws IOException {
    startClusterEach(id -> customize);
  }

  /** Starts the three nodes, each with options customized for it. */
  private void startClusterEach(
      Function<NodeId, UnaryOperator<NettyTransportOptions.Builder>> customize)
      throws IOException {
    addresses = freeAddresses();
    for (NodeId id : IDS) {
      startNode(id, customize.apply(id));
    }
  }

  private void startNode(NodeId id, UnaryOperator<NettyTransportOptions.Builder> customize)
      throws IOException {
    NettyTransport transport = new NettyTransport(customize.apply(NettyTransportOptions.builder()
        .bindAddress(addresses.get(id))
        .peers(addresses)
        .connectTimeout(Duration.ofSeconds(2))
        .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100))).build());
    AtomicLong sum = new AtomicLong();
    sums.put(id, sum);
    StateMachine counter = new StateMachine() {
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
    RaftNode node = RaftNode.builder().id(id).clusterId(cluster).members(IDS)
        .stateMachine(counter).transport(transport)
        .logStore(new FileLogStore(dir.resolve(id.value()))).build();
    node.start();
    transports.put(id, transport);
    nodes.put(id, node);
  }

  /** Free ports on 127.0.0.1, all held at once and let go just before the nodes bind them. */
  private static Map<NodeId, InetSocketAddress> freeAddresses() throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    Map<NodeId, InetSocketAddress> result = new LinkedHashMap<>();
    try {
      for (NodeId id : IDS) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        held.add(s);
        result.put(id, new InetSocketAddress("127.0.0.1", s.getLocalPort()));
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    return result;
  }

  private NodeId awaitLeader() {
    return await().atMost(WAIT).until(
        () -> nodes.values().stream().map(RaftNode::status).filter(RaftStatus::isLeader)
            .map(RaftStatus::id).findFirst().orElse(null),
        id -> id != null);
  }

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

  private long read(NodeId via) {
    return await().atMost(WAIT).until(() -> {
      try {
        return Long.parseLong(new String(nodes.get(via).query(new byte[0],
            ReadConsistency.LINEARIZABLE).get(5, TimeUnit.SECONDS), UTF_8));
      } catch (ExecutionException | TimeoutException e) {
        return null;
      }
    }, x -> x != null);
  }
}
