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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.RaftNode;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.storage.file.FileLogStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration that cannot work fails the start, naming what is wrong: a bind address that
 * contradicts the address the other nodes dial (the node's own entry in the peers map), and
 * members of the cluster that have no address at all.
 */
@ExtendWith(LeakCheck.class)
class StartValidationTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  @TempDir Path dir;

  @Test
  void aBindAddressOnAnotherPortThanTheNodesOwnEntryFailsTheStart() throws IOException {
    Map<NodeId, InetSocketAddress> ports = FreePorts.on127(List.of(N1, N2));
    InetSocketAddress bind = ports.get(N1);
    InetSocketAddress own = ports.get(N2); // another free port
    NettyTransport t = new NettyTransport(Cluster.defaults(bind.getPort())
        .peers(Map.of(N1, own)).build());
    assertThatThrownBy(() -> t.start(Cluster.CLUSTER, N1, m -> { }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the bind address of n1 (127.0.0.1:" + bind.getPort()
            + ") contradicts its own entry in the peers map (127.0.0.1:" + own.getPort()
            + "), where the other nodes dial it: it is another port.");
    t.close();
  }

  @Test
  void aBindAddressOfAnotherHostThanTheNodesOwnEntryFailsTheStart() throws IOException {
    int port = FreePorts.on127(List.of(N1)).get(N1).getPort();
    NettyTransport t = new NettyTransport(NettyTransportOptions.builder()
        .bindAddress(new InetSocketAddress("127.0.0.2", port))
        .peers(Map.of(N1, new InetSocketAddress("127.0.0.1", port))).build());
    assertThatThrownBy(() -> t.start(Cluster.CLUSTER, N1, m -> { }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the bind address of n1 (127.0.0.2:" + port + ") contradicts its "
            + "own entry in the peers map (127.0.0.1:" + port + ")")
        .hasMessageContaining("it is an address that 127.0.0.1 does not resolve to");
    t.close();
  }

  @Test
  void anOwnEntryByHostNameFitsABindToOneOfItsAddresses() throws IOException {
    InetSocketAddress bind = FreePorts.on127(List.of(N1)).get(N1);
    InetSocketAddress own = InetSocketAddress.createUnresolved("localhost", bind.getPort());
    if (!List.of(InetAddress.getAllByName("localhost")).contains(bind.getAddress())) {
      throw new AssertionError("localhost does not resolve to 127.0.0.1 here");
    }
    NettyTransport t = new NettyTransport(Cluster.defaults(bind.getPort())
        .peers(Map.of(N1, own)).build());
    try {
      t.start(Cluster.CLUSTER, N1, m -> { });
      assertThat(t.localAddress().getPort()).isEqualTo(bind.getPort());
    } finally {
      t.close();
    }
  }

  @Test
  void aNodeWhoseMembersHaveNoAddressFailsToStartNamingThemAndFreesItsPort() throws IOException {
    Map<NodeId, InetSocketAddress> ports = FreePorts.on127(List.of(N1, N2));
    NettyTransport transport = new NettyTransport(Cluster.defaults(ports.get(N1).getPort())
        .peers(ports).build()); // n3 is a member, but has no address
    RaftNode node = RaftNode.builder().id(N1).clusterId(Cluster.CLUSTER)
        .members(List.of(N1, N2, N3)).stateMachine((index, command) -> command)
        .transport(transport).logStore(new FileLogStore(dir.resolve("n1"))).build();
    try {
      assertThatThrownBy(node::start)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("member n3 of the cluster has no address: neither the transport's peers "
              + "map (n1, n2) nor the cluster configuration gives one; add it to "
              + "NettyTransportOptions.peers");
      // Nothing is left listening.
      try (ServerSocket again = new ServerSocket(ports.get(N1).getPort(), 1,
          InetAddress.getByName("127.0.0.1"))) {
        assertThat(again.getLocalPort()).isEqualTo(ports.get(N1).getPort());
      }
    } finally {
      node.close();
    }
  }
}
