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

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.VoteRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two transports that speak different protocol versions: they speak the highest both do, in
 * each direction, whichever dials; a node of the previous release (the {@link Version4Handshake}
 * fixture) is reached without losing a message, and spoken to in the newer version once it is
 * upgraded in place; a node with no version in common is refused, each side naming both ranges.
 */
@ExtendWith(LeakCheck.class)
class ProtocolVersionTest {
  private static final NodeId A = NodeId.of("a");
  private static final NodeId OLD = NodeId.of("old");
  private static final NodeId FUTURE = NodeId.of("future");
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** A node of a later release that no longer speaks versions 4 and 5. */
  private static final HandshakeDialect SPEAKS_6_TO_7 = new HandshakeDialect() {
    @Override
    public ProtocolVersions speaks() {
      return new ProtocolVersions(6, 7);
    }

    @Override
    public void encode(Handshake h, ByteBuf out) {
      MessageCodec.encodeHandshake(h, out);
    }

    @Override
    public int encodedSize(Handshake h) {
      return MessageCodec.encodedSize(h);
    }

    @Override
    public Handshake decode(ByteBuf in) {
      return new MessageCodec().decodeHandshake(in);
    }
  };

  private final Map<NodeId, NettyTransport> transports = new HashMap<>();
  private final Map<NodeId, Inbox> inboxes = new HashMap<>();
  private LogCapture logs;

  @BeforeEach
  void captureLogs() {
    logs = new LogCapture();
  }

  @AfterEach
  void stop() {
    transports.values().forEach(NettyTransport::close);
    logs.close();
  }

  private NettyTransport start(NodeId id, int port, HandshakeDialect dialect) throws IOException {
    NettyTransport t = new NettyTransport(Cluster.defaults(port).build(), dialect);
    Inbox inbox = new Inbox();
    t.start(Cluster.CLUSTER, id, inbox);
    transports.put(id, t);
    inboxes.put(id, inbox);
    return t;
  }

  private void connectAll() {
    Map<NodeId, InetSocketAddress> all = new HashMap<>();
    transports.forEach((id, t) -> all.put(id, t.localAddress()));
    transports.values().forEach(t -> t.updatePeers(all));
  }

  private static VoteRequest vote(NodeId from, NodeId to, long term) {
    return new VoteRequest(from, to, term, 0, 0, false, false);
  }

  /** An AppendEntries with one entry: it travels on the bulk lane. */
  private static AppendRequest append(NodeId from, NodeId to, long term) {
    return new AppendRequest(from, to, term, 0, 0, List.of(LogEntry.command(1, 1, new byte[10])),
        0, 1);
  }

  private List<Long> termsReceived(NodeId id) {
    return inboxes.get(id).received().stream().map(RaftMessage::term).toList();
  }

  @Test
  void twoNodesOfThisReleaseSpeakVersionFiveOnBothLanes() throws IOException {
    NettyTransport a = start(A, 0, HandshakeDialect.CURRENT);
    NettyTransport b = start(OLD, 0, HandshakeDialect.CURRENT);
    connectAll();

    a.send(vote(A, OLD, 1));
    a.send(append(A, OLD, 2));
    await().atMost(WAIT).until(() -> inboxes.get(OLD).size() == 2);

    assertThat(a.protocolVersionTo(OLD, Lane.CONTROL)).isEqualTo(5);
    assertThat(a.protocolVersionTo(OLD, Lane.BULK)).isEqualTo(5);
    assertThat(b.protocolVersionTo(A, Lane.CONTROL)).isZero(); // b never dialed
  }

  @Test
  void aNodeOfThePreviousReleaseIsReachedBothWaysInVersionFourAndLosesNothing()
      throws IOException {
    NettyTransport a = start(A, 0, HandshakeDialect.CURRENT);
    NettyTransport old = start(OLD, 0, Version4Handshake.INSTANCE);
    connectAll();

    // The first messages go out while a's version-5 handshake is still unanswered: the old node
    // closes on it, a dials again offering version 4, and the queued messages follow.
    a.send(vote(A, OLD, 1));
    a.send(append(A, OLD, 2));
    old.send(vote(OLD, A, 3));

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(termsReceived(OLD)).containsExactlyInAnyOrder(1L, 2L);
      assertThat(termsReceived(A)).containsExactly(3L);
    });
    assertThat(a.protocolVersionTo(OLD, Lane.CONTROL)).isEqualTo(4);
    assertThat(a.protocolVersionTo(OLD, Lane.BULK)).isEqualTo(4);
    assertThat(old.protocolVersionTo(A, Lane.CONTROL)).isEqualTo(4);
    assertThat(a.droppedMessageCount()).isZero();
    assertThat(old.droppedMessageCount()).isZero();
    assertThat(logs.lines("INFO", "a: connected to old at",
        "(protocol version 4: it speaks no later one)")).hasSize(2); // control and bulk
  }

  @Test
  void aNodeUpgradedInPlaceIsSpokenToInVersionFiveOnceItsConnectionsEnd() throws IOException {
    NettyTransport a = start(A, 0, HandshakeDialect.CURRENT);
    NettyTransport old = start(OLD, 0, Version4Handshake.INSTANCE);
    connectAll();
    a.send(vote(A, OLD, 1));
    await().atMost(WAIT).until(() -> a.protocolVersionTo(OLD, Lane.CONTROL) == 4);

    int port = old.localAddress().getPort();
    // Ends every connection old accepted, even one whose handshake it has not read yet; a, which
    // expects no answer to a version-4 handshake, would not notice otherwise (TransportCloseTest).
    old.close();
    NettyTransport upgraded = start(OLD, port, HandshakeDialect.CURRENT);
    connectAll();

    await().atMost(WAIT).untilAsserted(() -> {
      a.send(vote(A, OLD, 2));
      assertThat(termsReceived(OLD)).contains(2L);
    });
    await().atMost(WAIT).until(() -> a.protocolVersionTo(OLD, Lane.CONTROL) == 5);
    upgraded.send(vote(OLD, A, 3));
    await().atMost(WAIT).until(() -> termsReceived(A).contains(3L));
    assertThat(upgraded.protocolVersionTo(A, Lane.CONTROL)).isEqualTo(5);
  }

  /**
   * The moment of the in-place upgrade, forced: the version-4 node ends the fallback connection as
   * soon as it has read its handshake (the dialer counts it as up by then: a version-4 handshake is
   * never answered). The dialer redials with backoff, offering its range of versions again.
   */
  @Test
  void aFallbackConnectionClosedAsSoonAsItIsUpIsRedialedOfferingTheRangeAgain() throws Exception {
    NettyTransport a = start(A, 0, HandshakeDialect.CURRENT);
    List<Handshake> handshakes = new CopyOnWriteArrayList<>();
    ExecutorService oldNode = Executors.newSingleThreadExecutor();
    try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      listening.setSoTimeout((int) WAIT.toMillis());
      Future<?> served = oldNode.submit(() -> closeEachOnItsHandshake(listening, 3, handshakes));
      a.updatePeers(Map.of(OLD, new InetSocketAddress("127.0.0.1", listening.getLocalPort())));

      AtomicLong term = new AtomicLong();
      await().atMost(WAIT).until(() -> {
        a.send(vote(A, OLD, term.incrementAndGet()));
        return handshakes.size() == 3;
      });
      served.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      oldNode.shutdownNow();
    }

    ProtocolVersions range = HandshakeDialect.CURRENT.speaks();
    assertThat(handshakes).extracting(Handshake::versions).containsExactly(range,
        ProtocolVersions.exactly(WireFormat.EXACT_HANDSHAKE_VERSION), range);
    // Logged when the version-4 connection ended (and again if a falls back once more meanwhile).
    assertThat(logs.lines("INFO", "a: connection to old closed; will redial in")).isNotEmpty();
  }

  /**
   * Serves {@code count} connections one after another as a version-4 node that goes away at
   * once: reads the handshake, adds it to {@code handshakes}, and closes.
   */
  private static Void closeEachOnItsHandshake(ServerSocket listening, int count,
      List<Handshake> handshakes) throws IOException {
    for (int i = 0; i < count; i++) {
      try (Socket s = listening.accept()) {
        s.setSoTimeout((int) WAIT.toMillis());
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        handshakes.add(new MessageCodec().decodeHandshake(Unpooled.wrappedBuffer(body)));
      }
    }
    return null;
  }

  @Test
  void nodesWithNoVersionInCommonAreRefusedAndEachSideNamesBothRanges() throws IOException {
    NettyTransport a = start(A, 0, HandshakeDialect.CURRENT);
    NettyTransport future = start(FUTURE, 0, SPEAKS_6_TO_7);
    connectAll();
    String atA = "127.0.0.1:" + a.localAddress().getPort();
    String atFuture = "127.0.0.1:" + future.localAddress().getPort();

    await().atMost(WAIT).until(() -> {
      a.send(vote(A, FUTURE, 1));
      future.send(vote(FUTURE, A, 1));
      return !logs.lines("WARN", "a: future at " + atFuture).isEmpty()
          && !logs.lines("WARN", "future: a at " + atA).isEmpty();
    });

    // The acceptor says it to its own log, and to the dialer in the refusal.
    assertThat(logs.lines("WARN", "a: refusing connection from", "claiming node future: no "
        + "protocol version in common: the dialer offers versions 6 to 7, this node speaks "
        + "versions 4 to 5")).hasSize(1);
    assertThat(logs.lines("WARN", "future: a at " + atA + " refuses this node's connections: no "
        + "protocol version in common: it speaks versions 4 to 5, this node offered versions 6 "
        + "to 7")).hasSize(1);
    assertThat(logs.lines("WARN", "a: future at " + atFuture + " refuses this node's "
        + "connections: no protocol version in common: it speaks versions 6 to 7, this node "
        + "offered versions 4 to 5")).hasSize(1);
    assertThat(inboxes.get(A).received()).isEmpty();
    assertThat(inboxes.get(FUTURE).received()).isEmpty();
  }
}
