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
import static org.awaitility.Awaitility.await;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.VoteRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LeakCheck.class)
class TlsTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId ROGUE = NodeId.of("rogue");
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir static Path dir;
  private static TestCertificates.NodeFiles n1Files;
  private static TestCertificates.NodeFiles n2Files;
  private static TestCertificates.NodeFiles rogueFiles;

  private final Map<NodeId, NettyTransport> transports = new HashMap<>();
  private final Map<NodeId, Inbox> inboxes = new HashMap<>();

  @BeforeAll
  static void createCertificates() throws IOException {
    TestCertificates certs = new TestCertificates(dir);
    Path ca = certs.createCa("ca");
    certs.createCa("otherca");
    n1Files = certs.createNode("n1", "ca", ca);
    n2Files = certs.createNode("n2", "ca", ca);
    // Signed by another CA, but trusting ours: it can check us, we must refuse it.
    rogueFiles = certs.createNode("rogue", "otherca", ca);
  }

  @AfterEach
  void closeAll() {
    transports.values().forEach(NettyTransport::close);
  }

  private NettyTransport start(NodeId id, TestCertificates.NodeFiles files) throws IOException {
    return start(id, files, Cluster.CLUSTER);
  }

  private NettyTransport start(NodeId id, TestCertificates.NodeFiles files,
      dev.floe.raft.cluster.ClusterId clusterId) throws IOException {
    NettyTransportOptions.Builder b = Cluster.defaults(0);
    if (files != null) {
      b.mutualTls(files.privateKey(), files.certificateChain(), files.trustedCa());
    }
    NettyTransport t = new NettyTransport(b.build());
    Inbox inbox = new Inbox();
    t.start(clusterId, id, inbox);
    transports.put(id, t);
    inboxes.put(id, inbox);
    return t;
  }

  /** Every transport learns every other's address (and so accepts its handshake). */
  private void connectAll() {
    Map<NodeId, InetSocketAddress> all = new HashMap<>();
    transports.forEach((id, t) -> all.put(id, t.localAddress()));
    transports.values().forEach(t -> t.updatePeers(all));
  }

  private static VoteRequest vote(NodeId from, NodeId to, long term) {
    return new VoteRequest(from, to, term, 0, 0, false, false);
  }

  @Test
  void peersWithCertificatesFromTheTrustedCaExchangeMessages() throws IOException {
    NettyTransport t1 = start(N1, n1Files);
    NettyTransport t2 = start(N2, n2Files);
    connectAll();

    t1.send(vote(N1, N2, 1));
    t2.send(vote(N2, N1, 2));

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(inboxes.get(N2).received()).containsExactly(vote(N1, N2, 1));
      assertThat(inboxes.get(N1).received()).containsExactly(vote(N2, N1, 2));
    });
  }

  @Test
  void aPeerWhoseCertificateIsSignedByAnotherCaIsRefused() throws IOException {
    NettyTransport t1 = start(N1, n1Files);
    NettyTransport t2 = start(N2, n2Files);
    NettyTransport rogue = start(ROGUE, rogueFiles);
    connectAll();

    rogue.send(vote(ROGUE, N1, 1));

    // The acceptor rejects the certificate and closes the connection.
    await().atMost(WAIT).until(() -> rogue.outboundConnectionsClosed() >= 1);
    t2.send(vote(N2, N1, 2));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(inboxes.get(N1).received()).extracting(RaftMessage::from).contains(N2));
    assertThat(inboxes.get(N1).received()).extracting(RaftMessage::from).doesNotContain(ROGUE);
  }

  @Test
  void aTrustedPeerOfAnotherClusterIsRefusedAndLearnsWhyThroughTls() throws IOException {
    try (LogCapture logs = new LogCapture()) {
      NettyTransport t1 = start(N1, n1Files);
      NettyTransport t2 = start(N2, n2Files, dev.floe.raft.cluster.ClusterId.of("other-cluster"));
      connectAll();

      await().atMost(WAIT).until(() -> {
        t2.send(vote(N2, N1, 1));
        return !logs.lines("WARN", "n2: n1 at 127.0.0.1:" + t1.localAddress().getPort()
            + " refuses this node's connections: cluster id mismatch: found cluster '"
            + Cluster.CLUSTER_ID + "' there, expected 'other-cluster'").isEmpty();
      });
      assertThat(logs.lines("WARN", "n1: refusing connection from", "claiming node n2",
          "found 'other-cluster' in the handshake, expected '" + Cluster.CLUSTER_ID + "'"))
          .hasSize(1);
      assertThat(inboxes.get(N1).received()).isEmpty();
    }
  }

  @Test
  void aPlaintextClientIsRefused() throws IOException {
    NettyTransport t1 = start(N1, n1Files);
    NettyTransport t2 = start(N2, n2Files);
    connectAll();

    try (Socket s = new Socket()) {
      s.connect(t1.localAddress(), 2_000);
      s.setSoTimeout(5_000);
      s.getOutputStream().write(HostileInputTest.frame(
          new Handshake(WireFormat.VERSION, Cluster.CLUSTER_ID, N2)));
      s.getOutputStream().write(HostileInputTest.frame(vote(N2, N1, 1)));
      assertClosedByServer(s);
    }
    t2.send(vote(N2, N1, 2));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(inboxes.get(N1).received()).extracting(RaftMessage::term).containsExactly(2L));
  }

  @Test
  void aPlaintextTransportCannotReachATlsOne() throws IOException {
    NettyTransport t1 = start(N1, n1Files);
    NettyTransport plain = start(N2, null);
    connectAll();

    // The TCP connection opens, so the dialer writes; the acceptor's TLS layer then refuses.
    plain.send(vote(N2, N1, 1));
    await().atMost(WAIT).until(() -> plain.outboundConnectionsClosed() >= 1);
    assertThat(inboxes.get(N1).received()).isEmpty();
    assertThat(t1.droppedMessageCount()).isZero();
  }

  @Test
  void startFailsNamingAMissingKeyFile() {
    Path missing = dir.resolve("missing.key.pem");
    NettyTransport t = new NettyTransport(Cluster.defaults(0)
        .mutualTls(missing, n1Files.certificateChain(), n1Files.trustedCa()).build());
    assertThatThrownBy(() -> t.start(Cluster.CLUSTER, N1, m -> { }))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void startFailsNamingAnInvalidKeyFile() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.key.pem"), "not a key\n");
    NettyTransport t = new NettyTransport(Cluster.defaults(0)
        .mutualTls(bad, n1Files.certificateChain(), n1Files.trustedCa()).build());
    assertThatThrownBy(() -> t.start(Cluster.CLUSTER, N1, m -> { }))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(bad.toString());
  }

  private static void assertClosedByServer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      // The TLS layer may answer with an alert before closing; read to the end.
      for (int i = 0; i < 1 << 16; i++) {
        if (in.read() == -1) {
          return;
        }
      }
      throw new AssertionError("the server kept the connection open");
    } catch (SocketException reset) {
      // closed with unread input
    }
  }
}
