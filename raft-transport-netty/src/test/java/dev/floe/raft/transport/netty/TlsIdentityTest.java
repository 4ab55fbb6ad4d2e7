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
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS that binds certificates to node ids (the subject alternative name {@code
 * URI:floe:node:<id>}), with certificates that openssl makes for the test: a certificate the CA
 * signed for n2 cannot pose as n3, to an acceptor or to a dialer; a node refuses to start with
 * files that do not fit it; encrypted keys, host-name verification, and certificates reloaded
 * while the transport runs.
 */
@ExtendWith(LeakCheck.class)
class TlsIdentityTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final char[] STORE_PASSWORD = "store".toCharArray();

  @TempDir static Path dir;
  private static TestCertificates certs;
  private static Path ca;
  private static TestCertificates.NodeFiles n1Files;
  private static TestCertificates.NodeFiles n2Files;

  private final Map<NodeId, NettyTransport> transports = new HashMap<>();
  private final Map<NodeId, Inbox> inboxes = new HashMap<>();
  private LogCapture logs;

  @BeforeAll
  static void createCertificates() throws IOException {
    certs = new TestCertificates(dir);
    ca = certs.createCa("ca");
    n1Files = certs.createNode("n1", "ca", ca);
    n2Files = certs.createNode("n2", "ca", ca);
  }

  @BeforeEach
  void captureLogs() {
    logs = new LogCapture();
  }

  @AfterEach
  void closeAll() {
    transports.values().forEach(NettyTransport::close);
    logs.close();
  }

  private NettyTransport start(NodeId id, TestCertificates.NodeFiles files) throws IOException {
    return start(id, files, 0, b -> b);
  }

  private NettyTransport start(NodeId id, TestCertificates.NodeFiles files, int port,
      UnaryOperator<NettyTransportOptions.Builder> customize) throws IOException {
    NettyTransport t = new NettyTransport(customize.apply(Cluster.defaults(port)
        .mutualTls(files.privateKey(), files.certificateChain(), files.trustedCa())).build());
    Inbox inbox = new Inbox();
    t.start(Cluster.CLUSTER, id, inbox);
    transports.put(id, t);
    inboxes.put(id, inbox);
    return t;
  }

  private void connectAll(Map<NodeId, InetSocketAddress> extra) {
    Map<NodeId, InetSocketAddress> all = new HashMap<>(extra);
    transports.forEach((id, t) -> all.put(id, t.localAddress()));
    transports.values().forEach(t -> t.updatePeers(all));
  }

  private static VoteRequest vote(NodeId from, NodeId to, long term) {
    return new VoteRequest(from, to, term, 0, 0, false, false);
  }

  private void assertExchange(NodeId a, NodeId b, long term) {
    await().atMost(WAIT).untilAsserted(() -> {
      transports.get(a).send(vote(a, b, term));
      transports.get(b).send(vote(b, a, term));
      assertThat(inboxes.get(b).received()).extracting(RaftMessage::term).contains(term);
      assertThat(inboxes.get(a).received()).extracting(RaftMessage::term).contains(term);
    });
  }

  private static String at(NettyTransport t) {
    return "127.0.0.1:" + t.localAddress().getPort();
  }

  /** A JDK TLS context holding {@code files}' key and certificates: a client or server of ours. */
  private static SSLContext jdkContext(TestCertificates.NodeFiles files) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    List<X509Certificate> chain = PemFiles.certificates(files.certificateChain(), "chain");
    keys.setKeyEntry("key", PemFiles.privateKey(files.privateKey(), null), STORE_PASSWORD,
        chain.toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, STORE_PASSWORD);
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    int i = 0;
    for (X509Certificate c : PemFiles.certificates(files.trustedCa(), "CA")) {
      trusted.setCertificateEntry("ca" + i++, c);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  @Test
  void aCertificateSignedForN2CannotPoseAsN3ToAnAcceptor() throws Exception {
    NettyTransport t1 = start(N1, n1Files);
    connectAll(Map.of(N2, new InetSocketAddress("127.0.0.1", 1),
        N3, new InetSocketAddress("127.0.0.1", 1)));

    // The impostor: its own code, n2's key and CA-signed certificate, a handshake claiming n3.
    try (SSLSocket s = (SSLSocket) jdkContext(n2Files).getSocketFactory()
        .createSocket("127.0.0.1", t1.localAddress().getPort())) {
      s.setSoTimeout(5_000);
      s.startHandshake();
      s.getOutputStream().write(HostileInputTest.frame(new Handshake(ProtocolVersions.CURRENT,
          Cluster.CLUSTER_ID, N3, Lane.CONTROL)));
      s.getOutputStream().write(HostileInputTest.frame(vote(N3, N1, 1)));
      s.getOutputStream().flush();

      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] body = in.readNBytes(in.readInt());
      assertThat(new MessageCodec().decodeRefusal(Unpooled.wrappedBuffer(body)))
          .isEqualTo(new Refusal(WireFormat.REFUSED_IDENTITY, Cluster.CLUSTER_ID, N1));
      assertThat(logs.lines("WARN", "n1: refusing connection from /127.0.0.1:" + s.getLocalPort()
          + " claiming node n3: its TLS certificate names node n2 (subject CN=n2), not n3 (the "
          + "node its handshake claims)")).hasSize(1);
    }
    assertThat(inboxes.get(N1).received()).isEmpty();
  }

  @Test
  void aNodeWhoseCertificateNamesAnotherNodeIsRefusedAndLearnsWhy() throws IOException {
    NettyTransport t1 = start(N1, n1Files);
    // An n3 holding n2's files: it starts only with identity turned off on its side.
    NettyTransport impostor = start(N3, n2Files, 0, b -> b.tlsNodeIdentityRequired(false));
    connectAll(Map.of());

    await().atMost(WAIT).until(() -> {
      impostor.send(vote(N3, N1, 1));
      return !logs.lines("WARN", "n3: n1 at " + at(t1)).isEmpty();
    });
    assertThat(logs.lines("WARN", "n3: n1 at " + at(t1) + " refuses this node's connections: the "
        + "TLS certificate this node presented does not name n3 (it must carry the subject "
        + "alternative name floe:node:n3)")).hasSize(1);
    assertThat(logs.lines("WARN", "n1: refusing connection from", "claiming node n3: its TLS "
        + "certificate names node n2 (subject CN=n2), not n3")).hasSize(1);
    assertThat(logs.lines("WARN", "n3: mutual TLS without node identity")).hasSize(1);
    assertThat(inboxes.get(N1).received()).isEmpty();
  }

  @Test
  void aDialerTalksToNoAcceptorWhoseCertificateNamesAnotherNode() throws Exception {
    NettyTransport t1 = start(N1, n1Files);
    try (SSLServerSocket server = (SSLServerSocket) jdkContext(n2Files).getServerSocketFactory()
        .createServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
      server.setNeedClientAuth(true);
      server.setSoTimeout(10_000);
      // n2's certificate where n1 believes n3 listens: whatever n1 sends after TLS is read here.
      CompletableFuture<Integer> firstByte = CompletableFuture.supplyAsync(() -> {
        try (SSLSocket s = (SSLSocket) server.accept()) {
          s.setSoTimeout(10_000);
          s.startHandshake();
          InputStream in = s.getInputStream();
          return in.read();
        } catch (IOException e) {
          return -2;
        }
      });
      connectAll(Map.of(N3, new InetSocketAddress("127.0.0.1", server.getLocalPort())));

      await().atMost(WAIT).until(() -> {
        t1.send(vote(N1, N3, 1));
        return firstByte.isDone();
      });
      assertThat(firstByte.join()).as("nothing is sent, the connection is closed").isEqualTo(-1);
      assertThat(logs.lines("WARN", "n1: the TLS certificate of the node at 127.0.0.1:"
          + server.getLocalPort() + " names node n2 (subject CN=n2), not n3 (the peer this node "
          + "dialed); closing the connection")).hasSize(1);
      assertThat(t1.isConnectedTo(N3)).isFalse();
    }
  }

  @Test
  void startFailsWhenTheCertificateNamesAnotherNodeOrTheKeyIsAnothers() {
    NettyTransport asN3 = new NettyTransport(Cluster.defaults(0)
        .mutualTls(n2Files.privateKey(), n2Files.certificateChain(), ca).build());
    assertThatThrownBy(() -> asN3.start(Cluster.CLUSTER, N3, m -> { }))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the TLS certificate in " + n2Files.certificateChain()
            + " names node n2 (subject CN=n2), not this node n3: it must carry the subject "
            + "alternative name URI:floe:node:n3");

    NettyTransport mixedUp = new NettyTransport(Cluster.defaults(0)
        .mutualTls(n1Files.privateKey(), n2Files.certificateChain(), ca).build());
    assertThatThrownBy(() -> mixedUp.start(Cluster.CLUSTER, N2, m -> { }))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the TLS private key file " + n1Files.privateKey()
            + " does not belong to the first certificate of " + n2Files.certificateChain());
  }

  @Test
  void anEncryptedKeyIsReadWithItsPassword() throws IOException {
    Path encrypted = certs.encryptKey("n1", "s3cret pass");
    TestCertificates.NodeFiles files =
        new TestCertificates.NodeFiles(encrypted, n1Files.certificateChain(), ca);
    assertThat(Files.readString(encrypted)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");

    start(N1, files, 0, b -> b.tlsPrivateKeyPassword("s3cret pass".toCharArray()));
    start(N2, n2Files);
    connectAll(Map.of());
    assertExchange(N1, N2, 1);

    NettyTransport noPassword = new NettyTransport(Cluster.defaults(0)
        .mutualTls(encrypted, n1Files.certificateChain(), ca).build());
    assertThatThrownBy(() -> noPassword.start(Cluster.CLUSTER, N1, m -> { }))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the TLS private key file " + encrypted + " is encrypted: give its "
            + "password");
    NettyTransport wrongPassword = new NettyTransport(Cluster.defaults(0)
        .mutualTls(encrypted, n1Files.certificateChain(), ca)
        .tlsPrivateKeyPassword("guess".toCharArray()).build());
    assertThatThrownBy(() -> wrongPassword.start(Cluster.CLUSTER, N1, m -> { }))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot decrypt the TLS private key file " + encrypted
            + ": wrong password?");
  }

  @Test
  void hostNameVerificationRefusesACertificateNotValidForTheAddressDialed() throws IOException {
    TestCertificates.NodeFiles elsewhere = certs.createCertificate("n2-elsewhere", "ca", ca,
        "URI:floe:node:n2, DNS:elsewhere.invalid");
    NettyTransport t1 = start(N1, n1Files, 0, b -> b.tlsHostnameVerification(true));
    NettyTransport t2 = start(N2, elsewhere);
    connectAll(Map.of());

    await().atMost(WAIT).until(() -> {
      t1.send(vote(N1, N2, 1));
      return !logs.lines("WARN", "n1: TLS handshake with n2 at").isEmpty();
    });
    assertThat(logs.lines("WARN", "n1: TLS handshake with n2 at", "127.0.0.1")).isNotEmpty();
    assertThat(inboxes.get(N2).received()).isEmpty();

    // n2's own certificate is valid for 127.0.0.1: with it, n1 reaches n2 with verification on.
    int port = t2.localAddress().getPort();
    t2.close();
    start(N2, n2Files, port, b -> b);
    connectAll(Map.of());
    assertExchange(N1, N2, 2);
  }

  @Test
  void aReloadedCertificateIsUsedByNewConnections(@TempDir Path rotation) throws Exception {
    TestCertificates rotated = new TestCertificates(rotation);
    Path oldCa = rotated.createCa("old");
    Path newCa = rotated.createCa("new");
    Path bothCas = rotated.bundle("both.crt", oldCa, newCa);
    // n1's certificate is of the old CA, which n2 no longer trusts.
    TestCertificates.NodeFiles n1Old = rotated.createNode("n1", "old", bothCas);
    TestCertificates.NodeFiles n2New = rotated.createNode("n2", "new", newCa);
    NettyTransport t1 = start(N1, n1Old);
    start(N2, n2New);
    connectAll(Map.of());

    await().atMost(WAIT).until(() -> {
      t1.send(vote(N1, N2, 1));
      transports.get(N2).send(vote(N2, N1, 1));
      return !logs.lines("WARN", "n1: TLS handshake with n2").isEmpty()
          && !logs.lines("WARN", "n2: TLS handshake with n1").isEmpty();
    });
    assertThat(inboxes.get(N1).received()).isEmpty();
    assertThat(inboxes.get(N2).received()).isEmpty();

    // The renewal: a certificate of the new CA replaces n1's files, and n1 rereads them.
    TestCertificates.NodeFiles renewed = rotated.createCertificate("n1-renewed", "new", newCa,
        "URI:floe:node:n1, DNS:localhost, IP:127.0.0.1");
    Files.copy(renewed.privateKey(), n1Old.privateKey(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(renewed.certificateChain(), n1Old.certificateChain(),
        StandardCopyOption.REPLACE_EXISTING);
    t1.reloadTls();

    assertThat(logs.lines("INFO", "n1: reloaded the TLS files (certificate CN=n1-renewed")
        .size()).isEqualTo(1);
    assertExchange(N1, N2, 2);
  }

  @Test
  void aReloadOfBadFilesChangesNothingAndNamesTheFile(@TempDir Path own) throws Exception {
    TestCertificates mine = new TestCertificates(own);
    Path myCa = mine.createCa("ca");
    TestCertificates.NodeFiles n1Mine = mine.createNode("n1", "ca", myCa);
    TestCertificates.NodeFiles n2Mine = mine.createNode("n2", "ca", myCa);
    NettyTransport t1 = start(N1, n1Mine);
    NettyTransport t2 = start(N2, n2Mine);
    connectAll(Map.of());
    assertExchange(N1, N2, 1);

    byte[] goodKey = Files.readAllBytes(n1Mine.privateKey());
    Files.writeString(n1Mine.privateKey(), "not a key\n");
    assertThatThrownBy(t1::reloadTls).isInstanceOf(IOException.class)
        .hasMessageContaining(n1Mine.privateKey().toString());
    Files.write(n1Mine.privateKey(), goodKey);

    // New connections, both ways, still use the certificate loaded before.
    int port = t2.localAddress().getPort();
    t2.close();
    start(N2, n2Mine, port, b -> b);
    connectAll(Map.of());
    assertExchange(N1, N2, 2);
  }

  @Test
  void theOptionsRefuseTlsSettingsWithoutTls() {
    assertThatThrownBy(() -> Cluster.defaults(0).tlsHostnameVerification(true).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tlsHostnameVerification needs mutualTls(...)");
    assertThatThrownBy(() -> Cluster.defaults(0).tlsPrivateKeyPassword(new char[1]).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tlsPrivateKeyPassword needs mutualTls(...)");
  }
}
