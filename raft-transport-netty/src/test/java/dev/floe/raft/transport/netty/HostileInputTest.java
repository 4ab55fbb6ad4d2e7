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
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.VoteRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A raw socket sends the listening transport what no honest peer would. Each time, the server
 * closes that connection only, delivers nothing from it, and goes on serving a good peer. A
 * well-formed handshake it refuses (another cluster, an unknown node, no protocol version in
 * common) is answered with a refusal frame first, and one it accepts with an accept frame; beyond
 * that, everything is closed on without a word.
 */
@ExtendWith(LeakCheck.class)
class HostileInputTest {
  private static final int MAX_FRAME = 64 * 1024;
  private static final NodeId SERVER = NodeId.of("server");
  private static final NodeId GOOD = NodeId.of("good");
  /** A known peer whose identity the raw socket claims. */
  private static final NodeId RAW = NodeId.of("raw");
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final AtomicLong terms = new AtomicLong(1000);
  private LogCapture logs;
  private Cluster cluster;
  private NettyTransport server;
  private Inbox inbox;

  @BeforeEach
  void start() throws IOException {
    logs = new LogCapture();
    cluster = new Cluster(b -> b.maxFrameBytes(MAX_FRAME)).start("server", "good");
    server = cluster.get("server");
    inbox = cluster.inbox("server");
    Map<NodeId, InetSocketAddress> peers = new java.util.HashMap<>(cluster.addresses());
    peers.put(RAW, new InetSocketAddress("127.0.0.1", 1));
    server.updatePeers(peers);
    assertGoodPeerIsServed();
  }

  @AfterEach
  void stop() {
    cluster.close();
    logs.close();
  }

  @Test
  void garbageBytes() throws IOException {
    long seed = System.nanoTime();
    byte[] garbage = new byte[4096];
    new Random(seed).nextBytes(garbage);
    try (Socket s = connect()) {
      s.getOutputStream().write(garbage);
      assertClosedByServer(s);
    }
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void anHttpRequest() throws IOException {
    try (Socket s = connect()) {
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      assertClosedByServer(s);
    }
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void aLengthPrefixOfTwoGibibytes() throws IOException {
    for (int length : new int[] {0x8000_0000, 0x7FFF_FFFF}) {
      try (Socket s = connect()) {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.write(frame(handshake(RAW, Cluster.CLUSTER_ID, WireFormat.VERSION)));
        out.writeInt(length);
        out.write(new byte[100]);
        assertClosedByServer(s);
      }
    }
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void aFrameOverTheMaximumSize() throws IOException {
    try (Socket s = connect()) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.write(frame(handshake(RAW, Cluster.CLUSTER_ID, WireFormat.VERSION)));
      out.writeInt(MAX_FRAME + 1);
      out.write(new byte[1000]);
      assertClosedByServer(s);
    }
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void aFirstFrameTooLargeForAHandshake() throws IOException {
    try (Socket s = connect()) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeInt(WireFormat.MAX_HANDSHAKE_FRAME_BYTES + 1);
      out.write(new byte[WireFormat.MAX_HANDSHAKE_FRAME_BYTES + 1]);
      assertClosedByServer(s);
    }
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void aTruncatedFrameThenClose() throws IOException {
    try (Socket s = connect()) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.write(frame(handshake(RAW, Cluster.CLUSTER_ID, WireFormat.VERSION)));
      byte[] vote = frame(new VoteRequest(RAW, SERVER, 1, 0, 0, false, false));
      out.write(vote, 0, vote.length - 3);
      out.flush();
      assertGoodPeerIsServed(); // while the partial frame is pending
      s.shutdownOutput();
      assertClosedByServer(s);
    }
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void anUnknownMessageType() throws IOException {
    try (Socket s = connect()) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.write(frame(handshake(RAW, Cluster.CLUSTER_ID, WireFormat.VERSION)));
      byte[] vote = frame(new VoteRequest(RAW, SERVER, 1, 0, 0, false, false));
      vote[WireFormat.LENGTH_BYTES] = 99;
      out.write(vote);
      assertClosedByServer(s);
    }
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void aHandshakeWithAnUnknownNodeId() throws IOException {
    try (Socket s = connect()) {
      s.getOutputStream().write(
          frame(handshake(NodeId.of("stranger"), Cluster.CLUSTER_ID, WireFormat.VERSION)));
      assertRefusedByServer(s, WireFormat.REFUSED_UNKNOWN_NODE);
    }
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void aHandshakeClaimingTheServersOwnId() throws IOException {
    try (Socket s = connect()) {
      s.getOutputStream().write(frame(handshake(SERVER, Cluster.CLUSTER_ID, WireFormat.VERSION)));
      assertRefusedByServer(s, WireFormat.REFUSED_UNKNOWN_NODE);
    }
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void aHandshakeWithAWrongClusterIdIsRefusedNamingBothIdsAndWhatFollowsIsDiscarded()
      throws IOException {
    try (Socket s = connect()) {
      // After the handshake, what a dialer would send next: a message, then (hostile) a frame
      // announcing 2 GiB. The server discards all of it, unbuffered, once it has refused.
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.write(frame(handshake(RAW, "other-cluster", WireFormat.VERSION)));
      out.write(frame(new VoteRequest(RAW, SERVER, 1, 0, 0, false, false)));
      out.writeInt(0x7FFF_FFFF);
      out.write(new byte[64 * 1024]);
      out.flush();
      assertRefusedByServer(s, WireFormat.REFUSED_OTHER_CLUSTER);
      // It waits for the dialer to close, and closes by itself (after a linger) if it does not.
      s.setSoTimeout(15_000);
      assertClosedByServer(s);
      assertThat(logs.lines("WARN", "server: refusing connection from /127.0.0.1:" + s.getLocalPort()
          + " claiming node raw: cluster id mismatch: found 'other-cluster' in the handshake, "
          + "expected '" + Cluster.CLUSTER_ID + "'")).hasSize(1);
    }
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void aHandshakeOfOnlyLaterVersionsIsRefusedNamingBothSidesVersions() throws IOException {
    ProtocolVersions later = new ProtocolVersions(WireFormat.VERSION + 1, WireFormat.VERSION + 2);
    try (Socket s = connect()) {
      s.getOutputStream().write(frame(new Handshake(later, Cluster.CLUSTER_ID, RAW, Lane.CONTROL)));
      assertRefusedByServer(s, Refusal.ofVersions(Cluster.CLUSTER_ID, SERVER,
          ProtocolVersions.CURRENT, later));
    }
    assertThat(logs.lines("WARN", "server: refusing connection from", "claiming node raw: "
        + "no protocol version in common: the dialer offers versions 6 to 7, this node speaks "
        + "versions 4 to 5")).hasSize(1);
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void aHandshakeOfAVersionTooOldToReadIsRefusedNamingBothSidesVersions() throws IOException {
    try (Socket s = connect()) {
      s.getOutputStream().write(frame(new Handshake(3, Cluster.CLUSTER_ID, RAW)));
      assertRefusedByServer(s, Refusal.ofVersions(Cluster.CLUSTER_ID, SERVER,
          ProtocolVersions.CURRENT, ProtocolVersions.exactly(3)));
    }
    assertThat(logs.lines("WARN", "server: refusing connection from", "claiming an unknown node "
        + "(in a version-3 handshake): no protocol version in common: the dialer offers version "
        + "3, this node speaks versions 4 to 5")).hasSize(1);
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void aHandshakeOfTheVersionBeforeIsServed() throws IOException {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(frame(new Handshake(WireFormat.MIN_VERSION, Cluster.CLUSTER_ID, RAW)));
      out.write(frame(new VoteRequest(RAW, SERVER, 7, 0, 0, false, false)));
      await().atMost(WAIT).untilAsserted(() -> assertThat(inbox.received())
          .filteredOn(m -> m.from().equals(RAW)).extracting(RaftMessage::term)
          .containsExactly(7L));
      // A version-4 dialer takes any frame but a refusal for a violation: nothing is answered.
      s.setSoTimeout(200);
      assertThatThrownBy(() -> s.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void aMessageBeforeTheHandshake() throws IOException {
    try (Socket s = connect()) {
      s.getOutputStream().write(frame(new VoteRequest(RAW, SERVER, 1, 0, 0, false, false)));
      assertClosedByServer(s);
    }
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void aSecondHandshake() throws IOException {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(frame(handshake(RAW, Cluster.CLUSTER_ID, WireFormat.VERSION)));
      out.write(frame(handshake(GOOD, Cluster.CLUSTER_ID, WireFormat.VERSION)));
      assertClosedByServer(s);
    }
    assertNothingFromRawAndGoodPeerIsServed();
  }

  @Test
  void messagesWhoseSenderOrReceiverDoNotMatchAreDroppedAndTheConnectionServesOn()
      throws IOException {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(frame(handshake(RAW, Cluster.CLUSTER_ID, WireFormat.VERSION)));
      out.write(frame(new VoteRequest(GOOD, SERVER, 1, 0, 0, false, false))); // spoofed sender
      out.write(frame(new VoteRequest(RAW, GOOD, 2, 0, 0, false, false))); // not for the server
      out.write(frame(new VoteRequest(RAW, SERVER, 3, 0, 0, false, false))); // fine

      await().atMost(WAIT).untilAsserted(() -> assertThat(inbox.received())
          .filteredOn(m -> m.from().equals(RAW)).extracting(RaftMessage::term)
          .containsExactly(3L));
      assertThat(inbox.received()).noneMatch(m -> m.term() == 1 || m.term() == 2);
      assertThat(server.droppedMessageCount()).isEqualTo(2);
    }
    assertGoodPeerIsServed();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(server.localAddress(), 2_000);
    s.setSoTimeout(5_000);
    return s;
  }

  /**
   * Reads the refusal the server sends for a well-formed handshake it refuses, which names the
   * server; the socket stays open (the server waits for the dialer to close it).
   */
  private static void assertRefusedByServer(Socket s, int reason) throws IOException {
    assertRefusedByServer(s, new Refusal(reason, Cluster.CLUSTER_ID, SERVER));
  }

  private static void assertRefusedByServer(Socket s, Refusal expected) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    int length;
    byte[] body;
    try {
      length = in.readInt();
      assertThat(length).isBetween(1, WireFormat.MAX_HANDSHAKE_FRAME_BYTES);
      body = in.readNBytes(length);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server sent no refusal within " + s.getSoTimeout() + " ms", e);
    }
    assertThat(body).hasSize(length);
    Refusal refusal = new MessageCodec().decodeRefusal(Unpooled.wrappedBuffer(body));
    assertThat(refusal).isEqualTo(expected);
  }

  /**
   * Reads until the server closes the connection: end of stream, or a reset. Before it closes,
   * the server sends nothing but, if it accepted the handshake, one accept frame naming itself.
   */
  private static void assertClosedByServer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try {
      for (int b = in.read(); b != -1; b = in.read()) {
        received.write(b);
        assertThat(received.size()).as("the server sends one accept at most; it should close")
            .isLessThanOrEqualTo(WireFormat.MAX_HANDSHAKE_FRAME_BYTES);
      }
    } catch (SocketException reset) {
      return; // closed with unread input: the kernel answers with a reset, unread bytes are lost
    } catch (SocketTimeoutException e) {
      fail("the server did not close the connection within " + s.getSoTimeout() + " ms");
    }
    byte[] bytes = received.toByteArray();
    if (bytes.length > 0) {
      ByteBuf frame = Unpooled.wrappedBuffer(bytes);
      assertThat(frame.readInt()).isEqualTo(bytes.length - WireFormat.LENGTH_BYTES);
      assertThat(new MessageCodec().decodeAccept(frame))
          .isEqualTo(new Accept(WireFormat.VERSION, SERVER));
    }
  }

  private void assertNothingFromRawAndGoodPeerIsServed() {
    assertGoodPeerIsServed();
    assertThat(inbox.received()).allMatch(m -> m.from().equals(GOOD));
  }

  private void assertGoodPeerIsServed() {
    long term = terms.incrementAndGet();
    cluster.get("good").send(new VoteRequest(GOOD, SERVER, term, 0, 0, false, false));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(inbox.received()).extracting(RaftMessage::term).contains(term));
  }

  private static Handshake handshake(NodeId id, String clusterId, int version) {
    return new Handshake(version, clusterId, id);
  }

  /** Encodes a frame as a dialer would (any version: the codec writes what it is given). */
  static byte[] frame(Object msg) {
    ByteBuf body = Unpooled.buffer();
    if (msg instanceof RaftMessage m) {
      MessageCodec.encode(m, body);
    } else {
      MessageCodec.encodeHandshake((Handshake) msg, body);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(body.readableBytes());
      body.readBytes(out, body.readableBytes());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }
}
