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

import dev.floe.raft.cluster.NodeId;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The server and client TLS contexts for mutual TLS, built from PEM files: both sides present
 * their certificate and require the other's to chain to a trusted CA. Immutable: a reload builds
 * new contexts, which new connections use, while open ones keep theirs.
 *
 * <p>Before anything is served, the files are checked against each other and against the node:
 * the private key must belong to the first certificate of the chain, and (unless node identity is
 * turned off) that certificate must name this node (see {@link NodeIdentity}), so that a mix-up of
 * files fails at start naming them rather than in every handshake. Host names are checked only if
 * the options ask for it, and only by the dialing side: nodes are often addressed by IP, and the
 * node id in the certificate is what binds a peer.
 */
final class TlsContexts {
  private static final byte[] CHALLENGE = "floe key check".getBytes(StandardCharsets.US_ASCII);

  final SslContext server;
  final SslContext client;
  /** This node's own certificate: the first of its chain. */
  final X509Certificate certificate;

  private TlsContexts(SslContext server, SslContext client, X509Certificate certificate) {
    this.server = server;
    this.client = client;
    this.certificate = certificate;
  }

  /**
   * Reads and checks the files named by the options.
   *
   * @param self the local node, which the certificate must name
   * @throws IOException naming the file that is missing, unreadable, invalid, or does not fit
   */
  static TlsContexts load(NettyTransportOptions options, NodeId self) throws IOException {
    Path keyFile = options.tlsPrivateKeyFile().orElseThrow();
    Path chainFile = options.tlsCertificateChainFile().orElseThrow();
    Path caFile = options.tlsTrustedCaFile().orElseThrow();
    PrivateKey key = PemFiles.privateKey(keyFile, options.tlsPrivateKeyPassword());
    List<X509Certificate> chain = PemFiles.certificates(chainFile, "certificate chain");
    List<X509Certificate> cas = PemFiles.certificates(caFile, "trusted CA");
    X509Certificate leaf = chain.get(0);
    if (!belongTogether(key, leaf.getPublicKey())) {
      throw new IOException("the TLS private key file " + keyFile + " does not belong to the first"
          + " certificate of " + chainFile + " (subject " + leaf.getSubjectX500Principal().getName()
          + ")");
    }
    if (options.tlsNodeIdentityRequired() && !NodeIdentity.named(leaf).contains(self)) {
      throw new IOException("the TLS certificate in " + chainFile + " "
          + NodeIdentity.describe(leaf) + ", not this node " + self
          + ": it must carry the subject alternative name URI:" + NodeIdentity.uriOf(self));
    }
    X509Certificate[] chainArray = chain.toArray(new X509Certificate[0]);
    X509Certificate[] caArray = cas.toArray(new X509Certificate[0]);
    try {
      SslContext server = SslContextBuilder.forServer(key, chainArray)
          .trustManager(caArray)
          .clientAuth(ClientAuth.REQUIRE)
          .build();
      SslContext client = SslContextBuilder.forClient()
          .keyManager(key, chainArray)
          .trustManager(caArray)
          .endpointIdentificationAlgorithm(options.tlsHostnameVerification() ? "HTTPS" : null)
          .build();
      return new TlsContexts(server, client, leaf);
    } catch (IOException | RuntimeException e) {
      throw new IOException("invalid TLS files (private key " + keyFile + ", certificate chain "
          + chainFile + ", trusted CA " + caFile + "): " + e.getMessage(), e);
    }
  }

  /** Returns whether {@code key} signs what {@code publicKey} verifies. */
  private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
      default -> null;
    };
    if (algorithm == null || !key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return algorithm == null; // a scheme we do not check; the TLS handshake will
    }
    try {
      Signature sign = Signature.getInstance(algorithm);
      sign.initSign(key);
      sign.update(CHALLENGE);
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance(algorithm);
      verify.initVerify(publicKey);
      verify.update(CHALLENGE);
      return verify.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Describes this node's certificate for the log: subject, serial and expiry. */
  String describeCertificate() {
    return "certificate " + certificate.getSubjectX500Principal().getName() + ", serial "
        + certificate.getSerialNumber().toString(16) + ", valid until "
        + certificate.getNotAfter().toInstant();
  }
}
