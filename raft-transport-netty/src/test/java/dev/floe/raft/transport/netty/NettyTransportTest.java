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
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.ForwardRequest;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.VoteRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(LeakCheck.class)
class NettyTransportTest {
  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final NodeId C = NodeId.of("c");
  private static final Duration WAIT = Duration.ofSeconds(10);

  private Cluster cluster;

  @AfterEach
  void closeAll() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<RaftMessage> onLane(List<RaftMessage> messages, Lane lane) {
    return messages.stream().filter(m -> Lane.of(m) == lane).toList();
  }

  private static VoteRequest vote(NodeId from, NodeId to, long term) {
    return new VoteRequest(from, to, term, 0, 0, false, false);
  }

  /**
   * Every message type arrives; messages keep their order within a lane (control messages in one
   * connection, bulk data in the other, see {@link Lane}).
   */
  @ParameterizedTest(name = "native transport: {0}")
  @ValueSource(booleans = {true, false})
  void twoTransportsExchangeEveryMessageTypeInOrderWithinEachLane(boolean nativeTransport)
      throws IOException {
    cluster = new Cluster(b -> b.nativeTransport(nativeTransport)).start("a", "b");
    long seed = System.nanoTime();
    Random r = new Random(seed);
    List<RaftMessage> toB = new ArrayList<>();
    List<RaftMessage> toA = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      for (int type = 0; type < RandomMessages.TYPES; type++) {
        toB.add(RandomMessages.of(type, r, A, B));
        toA.add(RandomMessages.of(type, r, B, A));
      }
    }

    toB.forEach(cluster.get("a")::send);
    toA.forEach(cluster.get("b")::send);

    await().atMost(WAIT).untilAsserted(() -> {
      for (Lane lane : Lane.values()) {
        assertThat(onLane(cluster.inbox("b").received(), lane)).as("seed %d, %s", seed, lane)
            .containsExactlyElementsOf(onLane(toB, lane));
        assertThat(onLane(cluster.inbox("a").received(), lane)).as("seed %d, %s", seed, lane)
            .containsExactlyElementsOf(onLane(toA, lane));
      }
      assertThat(cluster.inbox("b").received()).hasSameSizeAs(toB);
    });
    assertThat(cluster.get("a").droppedMessageCount()).isZero();
  }

  @Test
  void membersAddressesParseAsHostAndPortAndBadOnesAreRefusedWithTheReason() {
    assertThat(NettyTransport.parseAddress("127.0.0.1:7004"))
        .isEqualTo(new InetSocketAddress("127.0.0.1", 7004));
    assertThat(NettyTransport.parseAddress("[::1]:80").getPort()).isEqualTo(80);
    assertThatThrownBy(() -> NettyTransport.parseAddress("127.0.0.1"))
        .hasMessageContaining("not host:port");
    assertThatThrownBy(() -> NettyTransport.parseAddress("127.0.0.1:x"))
        .hasMessageContaining("no numeric port");
    assertThatThrownBy(() -> NettyTransport.parseAddress("127.0.0.1:70000"))
        .hasMessageContaining("out of range");
  }

  @Test
  void threeTransportsEachReachTheOtherTwo() throws IOException {
    cluster = new Cluster().start("a", "b", "c");
    List<NodeId> ids = List.of(A, B, C);
    for (NodeId from : ids) {
      for (NodeId to : ids) {
        if (!from.equals(to)) {
          cluster.transports.get(from).send(vote(from, to, 1));
        }
      }
    }

    await().atMost(WAIT).untilAsserted(() -> {
      for (NodeId to : ids) {
        assertThat(cluster.inboxes.get(to).received())
            .extracting(RaftMessage::from)
            .containsExactlyInAnyOrderElementsOf(ids.stream().filter(i -> !i.equals(to)).toList());
      }
    });
  }

  @Test
  void aRestartedPeerIsRedialedAndTrafficResumesBothWays() throws IOException {
    cluster = new Cluster().start("a", "b");
    cluster.get("a").send(vote(A, B, 1));
    await().atMost(WAIT).until(() -> cluster.inbox("b").size() == 1);

    NettyTransport b2 = cluster.restart(B);

    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
      cluster.get("a").send(vote(A, B, 2));
      assertThat(cluster.inbox("b").received()).extracting(RaftMessage::term).contains(2L);
    });
    b2.send(vote(B, A, 3));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(cluster.inbox("a").received()).extracting(RaftMessage::term).contains(3L));
  }

  @Test
  void messagesToAnUnreachablePeerAreDroppedUntilItComesUp() throws IOException {
    cluster = new Cluster().start("a", "b");
    int portOfB = cluster.get("b").localAddress().getPort();
    cluster.get("b").close();
    cluster.transports.remove(B);

    NettyTransport a = cluster.get("a");
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
      a.send(vote(A, B, 1));
      assertThat(a.droppedMessageCount()).isGreaterThanOrEqualTo(3);
    });

    NettyTransport b = cluster.startNode(B, portOfB);
    b.updatePeers(cluster.addresses());
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
      a.send(vote(A, B, 2));
      assertThat(cluster.inbox("b").received()).isNotEmpty();
    });
  }

  /**
   * A peer that comes back and dials this node is redialed at once, not after the backoff this
   * node was waiting out (a minute here): messages to it, a leadership transfer's TimeoutNow for
   * one, are not lost for the longest backoff after it restarted.
   */
  @Test
  void aPeerThatDialsBackIsRedialedWithoutWaitingOutTheBackoff() throws IOException {
    cluster = new Cluster(o -> o.reconnectBackoff(Duration.ofSeconds(60), Duration.ofSeconds(60)))
        .start("a", "b");
    int portOfB = cluster.get("b").localAddress().getPort();
    cluster.get("b").close();
    cluster.transports.remove(B);
    NettyTransport a = cluster.get("a");
    await().atMost(WAIT).untilAsserted(() -> {
      a.send(vote(A, B, 1)); // the dial fails: the next one is due in a minute
      assertThat(a.droppedMessageCount()).isGreaterThanOrEqualTo(2);
    });

    NettyTransport b = cluster.startNode(B, portOfB);
    b.updatePeers(cluster.addresses());
    b.send(vote(B, A, 2));
    await().atMost(WAIT).until(() -> cluster.inbox("a").size() == 1);

    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
      a.send(vote(A, B, 3));
      assertThat(cluster.inbox("b").received()).extracting(RaftMessage::term).contains(3L);
    });
  }

  @Test
  void startFailsNamingThePortWhenItIsInUse() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      NettyTransport t = new NettyTransport(Cluster.defaults(taken.getLocalPort()).build());
      assertThatThrownBy(() -> t.start(Cluster.CLUSTER, A, m -> { }))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
      t.close();
    }
  }

  @Test
  void sendNeverThrows() throws IOException {
    NettyTransport notStarted = new NettyTransport(Cluster.defaults(0).build());
    assertThatCode(() -> notStarted.send(vote(A, B, 1))).doesNotThrowAnyException();

    cluster = new Cluster().start("a", "b");
    NettyTransport a = cluster.get("a");
    long before = a.droppedMessageCount();
    assertThatCode(() -> {
      a.send(vote(A, NodeId.of("stranger"), 1));
      a.send(null);
    }).doesNotThrowAnyException();
    assertThat(a.droppedMessageCount()).isEqualTo(before + 2);

    a.close();
    assertThatCode(() -> a.send(vote(A, B, 1))).doesNotThrowAnyException();
    assertThatCode(a::close).doesNotThrowAnyException();
  }

  @Test
  void aMessageOverTheMaximumFrameSizeIsDroppedAndOthersStillFlow() throws IOException {
    cluster = new Cluster(b -> b.maxFrameBytes(64 * 1024)).start("a", "b");
    NettyTransport a = cluster.get("a");

    a.send(new ForwardRequest(A, B, 1, 1, new byte[100_000]));
    a.send(new ForwardRequest(A, B, 1, 2, new byte[1000]));

    assertThat(a.droppedMessageCount()).isEqualTo(1);
    await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.inbox("b").received())
        .singleElement()
        .extracting(m -> ((ForwardRequest) m).requestId()).isEqualTo(2L));
  }

  @Test
  void messagesBeyondTheHighWaterMarkOfAStalledPeerAreDropped() throws IOException {
    cluster = new Cluster(b -> b.writeBufferWaterMarks(32 * 1024, 64 * 1024)).start("a");
    NettyTransport a = cluster.get("a");
    // A peer that accepts connections but never reads: the kernel buffers fill, then Netty's.
    try (ServerSocket stalled = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      NodeId sink = NodeId.of("sink");
      a.updatePeers(Map.of(sink, new InetSocketAddress("127.0.0.1", stalled.getLocalPort())));
      a.send(vote(A, sink, 1));
      await().atMost(WAIT).until(() -> a.isConnectedTo(sink));

      byte[] payload = new byte[16 * 1024];
      int sent = 0;
      while (sent < 4_000 && a.droppedMessageCount() == 0) { // 64 MB at most
        a.send(new ForwardRequest(A, sink, 1, sent++, payload));
      }

      assertThat(a.droppedMessageCount()).isPositive();
    }
  }

  /**
   * Bulk data has a connection of its own: a peer whose bulk connection is over its high water mark
   * (a 16 MiB AppendEntries in flight to a slow reader) still gets every heartbeat and vote, which
   * would otherwise be dropped behind the bulk data and cost the leader its office.
   */
  @Test
  void controlMessagesStillFlowWhileTheBulkLaneIsOverItsHighWaterMark() throws IOException {
    cluster = new Cluster(b -> b.writeBufferWaterMarks(32 * 1024, 64 * 1024)).start("a");
    NettyTransport a = cluster.get("a");
    try (ServerSocket stalled = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      NodeId sink = NodeId.of("sink");
      a.updatePeers(Map.of(sink, new InetSocketAddress("127.0.0.1", stalled.getLocalPort())));
      a.send(vote(A, sink, 1));
      await().atMost(WAIT).until(() -> a.isConnectedTo(sink));
      List<LogEntry> entries = List.of(LogEntry.command(1, 1, new byte[16 * 1024]));
      int sent = 0;
      while (sent < 4_000 && a.droppedMessageCount() == 0) { // 64 MB at most
        a.send(new AppendRequest(A, sink, 1, 0, 0, entries, 0, sent++));
      }
      assertThat(a.droppedMessageCount()).as("the bulk lane is over its mark").isPositive();
      long droppedBulk = a.droppedMessageCount();

      for (int i = 0; i < 100; i++) {
        a.send(new AppendRequest(A, sink, 1, 0, 0, List.of(), 0, i)); // heartbeats
        a.send(vote(A, sink, 2));
      }

      assertThat(a.droppedMessageCount()).as("no control message dropped").isEqualTo(droppedBulk);
    }
  }

  @Test
  void peersCanBeAddedAndRemovedAtRunTime() throws IOException {
    cluster = new Cluster().start("a", "b");
    NettyTransport c = cluster.startNode(C, 0);
    c.updatePeers(cluster.addresses());
    cluster.get("a").updatePeers(cluster.addresses()); // a now knows c

    c.send(vote(C, A, 1));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(cluster.inbox("a").received()).extracting(RaftMessage::from).contains(C));

    NettyTransport a = cluster.get("a");
    a.updatePeers(Map.of(B, cluster.get("b").localAddress()));
    long before = a.droppedMessageCount();
    a.send(vote(A, C, 2));
    assertThat(a.droppedMessageCount()).isEqualTo(before + 1);
  }

  @Test
  void aPeerWhoseAddressChangesIsRedialedAtTheNewAddress() throws IOException {
    cluster = new Cluster().start("a", "b");
    NettyTransport a = cluster.get("a");
    a.send(vote(A, B, 1));
    await().atMost(WAIT).until(() -> cluster.inbox("b").size() == 1);

    // b moves: a new transport for b on another port.
    cluster.get("b").close();
    NettyTransport moved = cluster.startNode(B, 0);
    moved.updatePeers(cluster.addresses());
    a.updatePeers(cluster.addresses());

    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
      a.send(vote(A, B, 2));
      assertThat(cluster.inbox("b").received()).isNotEmpty();
    });
  }
}
