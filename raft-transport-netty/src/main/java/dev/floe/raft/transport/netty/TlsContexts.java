package dev.floe.raft.transport.netty;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds the server and client TLS contexts for mutual TLS from PEM files. Both sides present
 * their certificate and require the other's to chain to a trusted CA. Host names are not checked:
 * nodes are often addressed by IP, and trust comes from the cluster's own CA.
 */
final class TlsContexts {
  final SslContext server;
  final SslContext client;

  private TlsContexts(SslContext server, SslContext client) {
    this.server = server;
    this.client = client;
  }

  /**
   * Reads the files named by the options.
   *
   * @throws IOException naming the file that is missing, unreadable or invalid
   */
  static TlsContexts load(NettyTransportOptions options) throws IOException {
    File key = readable(options.tlsPrivateKeyFile().orElseThrow(), "private key");
    File chain = readable(options.tlsCertificateChainFile().orElseThrow(), "certificate chain");
    File ca = readable(options.tlsTrustedCaFile().orElseThrow(), "trusted CA");
    try {
      SslContext server = SslContextBuilder.forServer(chain, key)
          .trustManager(ca)
          .clientAuth(ClientAuth.REQUIRE)
          .build();
      SslContext client = SslContextBuilder.forClient()
          .keyManager(chain, key)
          .trustManager(ca)
          .endpointIdentificationAlgorithm(null)
          .build();
      return new TlsContexts(server, client);
    } catch (IOException | RuntimeException e) {
      throw new IOException("invalid TLS files (private key " + key + ", certificate chain "
          + chain + ", trusted CA " + ca + "): " + e.getMessage(), e);
    }
  }

  private static File readable(Path path, String what) throws IOException {
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new IOException("cannot read the TLS " + what + " file " + path);
    }
    return path.toFile();
  }
}
