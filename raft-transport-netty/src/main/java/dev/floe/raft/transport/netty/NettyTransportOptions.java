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
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The configuration of a {@link NettyTransport}: where it listens, where its peers are, and the
 * limits it enforces. Immutable; build one with {@link #builder()}.
 *
 * <p>The peer map may contain the local node itself (so that every node of a cluster can share one
 * map); the transport does not dial it, but checks at start that the bind address fits it (see
 * {@link NettyTransport#start}). Every member of the cluster must have an address, here or in the
 * cluster's configuration, when the node starts.
 *
 * <p>No Netty type appears here, so that the options do not tie an application to a Netty line.
 */
public final class NettyTransportOptions {
  /**
   * The default {@link Builder#maxFrameBytes(int) maximum frame size}: 16 MiB and 64 KiB, so that a
   * command of the library's default largest size ({@code RaftOptions.DEFAULT_MAX_COMMAND_BYTES},
   * 16 MiB) travels with its message's framing.
   */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024 + 64 * 1024;

  private final InetSocketAddress bindAddress;
  private final Map<NodeId, InetSocketAddress> peers;
  private final int maxFrameBytes;
  private final Duration connectTimeout;
  private final Duration reconnectBackoffMin;
  private final Duration reconnectBackoffMax;
  private final int writeBufferLowWaterMarkBytes;
  private final int writeBufferHighWaterMarkBytes;
  private final int ioThreads;
  private final boolean nativeTransport;
  private final Path tlsPrivateKeyFile;
  private final char[] tlsPrivateKeyPassword;
  private final Path tlsCertificateChainFile;
  private final Path tlsTrustedCaFile;
  private final boolean tlsHostnameVerification;
  private final boolean tlsNodeIdentityRequired;

  private NettyTransportOptions(Builder b) {
    this.bindAddress = b.bindAddress;
    this.peers = Map.copyOf(b.peers);
    this.maxFrameBytes = b.maxFrameBytes;
    this.connectTimeout = b.connectTimeout;
    this.reconnectBackoffMin = b.reconnectBackoffMin;
    this.reconnectBackoffMax = b.reconnectBackoffMax;
    this.writeBufferLowWaterMarkBytes = b.writeBufferLowWaterMarkBytes;
    this.writeBufferHighWaterMarkBytes = b.writeBufferHighWaterMarkBytes;
    this.ioThreads = b.ioThreads;
    this.nativeTransport = b.nativeTransport;
    this.tlsPrivateKeyFile = b.tlsPrivateKeyFile;
    this.tlsPrivateKeyPassword =
        b.tlsPrivateKeyPassword == null ? null : b.tlsPrivateKeyPassword.clone();
    this.tlsCertificateChainFile = b.tlsCertificateChainFile;
    this.tlsTrustedCaFile = b.tlsTrustedCaFile;
    this.tlsHostnameVerification = b.tlsHostnameVerification;
    this.tlsNodeIdentityRequired = b.tlsNodeIdentityRequired;
  }

  /** {@return a builder with the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the address the transport listens on} */
  public InetSocketAddress bindAddress() {
    return bindAddress;
  }

  /** {@return the peers' addresses at start} */
  public Map<NodeId, InetSocketAddress> peers() {
    return peers;
  }

  /** {@return the largest frame accepted or sent, in bytes, not counting its 4-byte length} */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** {@return how long a connection attempt may take} */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** {@return the delay before the first reconnection attempt} */
  public Duration reconnectBackoffMin() {
    return reconnectBackoffMin;
  }

  /** {@return the longest delay between reconnection attempts} */
  public Duration reconnectBackoffMax() {
    return reconnectBackoffMax;
  }

  /** {@return the queued bytes below which a peer's connection is writable again} */
  public int writeBufferLowWaterMarkBytes() {
    return writeBufferLowWaterMarkBytes;
  }

  /** {@return the queued bytes above which messages to a peer are dropped} */
  public int writeBufferHighWaterMarkBytes() {
    return writeBufferHighWaterMarkBytes;
  }

  /** {@return the number of I/O threads} */
  public int ioThreads() {
    return ioThreads;
  }

  /**
   * {@return whether native epoll is used when available (NIO otherwise)} {@link
   * NettyTransport#ioMode()} says which is in use.
   */
  public boolean nativeTransport() {
    return nativeTransport;
  }

  /** {@return whether mutual TLS is configured} */
  public boolean tlsEnabled() {
    return tlsPrivateKeyFile != null;
  }

  /** {@return the PEM file with this node's PKCS#8 private key, if TLS is configured} */
  public Optional<Path> tlsPrivateKeyFile() {
    return Optional.ofNullable(tlsPrivateKeyFile);
  }

  /** {@return whether a password for the private key was given} */
  public boolean tlsPrivateKeyEncrypted() {
    return tlsPrivateKeyPassword != null;
  }

  /**
   * The private key's password, or null; package-private so that the secret is not handed on.
   * The caller must not change the array.
   */
  char[] tlsPrivateKeyPassword() {
    return tlsPrivateKeyPassword;
  }

  /** {@return the PEM file with this node's certificate chain, if TLS is configured} */
  public Optional<Path> tlsCertificateChainFile() {
    return Optional.ofNullable(tlsCertificateChainFile);
  }

  /** {@return the PEM file with the certificates of the trusted CAs, if TLS is configured} */
  public Optional<Path> tlsTrustedCaFile() {
    return Optional.ofNullable(tlsTrustedCaFile);
  }

  /**
   * {@return whether a dialing node checks that the certificate of the node it reaches is valid
   * for the host name or IP address it dialed} Default false.
   */
  public boolean tlsHostnameVerification() {
    return tlsHostnameVerification;
  }

  /**
   * {@return whether certificates must name the node ids of their nodes} Default true; see {@link
   * Builder#tlsNodeIdentityRequired(boolean)}.
   */
  public boolean tlsNodeIdentityRequired() {
    return tlsNodeIdentityRequired;
  }

  /** Builds {@link NettyTransportOptions}. Not thread-safe. */
  public static final class Builder {
    private InetSocketAddress bindAddress;
    private Map<NodeId, InetSocketAddress> peers = Map.of();
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private Duration connectTimeout = Duration.ofSeconds(3);
    private Duration reconnectBackoffMin = Duration.ofMillis(50);
    private Duration reconnectBackoffMax = Duration.ofSeconds(2);
    private int writeBufferLowWaterMarkBytes = 2 * 1024 * 1024;
    private int writeBufferHighWaterMarkBytes = 8 * 1024 * 1024;
    private int ioThreads = 1;
    private boolean nativeTransport = true;
    private Path tlsPrivateKeyFile;
    private char[] tlsPrivateKeyPassword;
    private Path tlsCertificateChainFile;
    private Path tlsTrustedCaFile;
    private boolean tlsHostnameVerification;
    private boolean tlsNodeIdentityRequired = true;

    private Builder() {}

    /**
     * Sets the address to listen on (required); port 0 picks a free port.
     *
     * @param bindAddress the address; {@code 0.0.0.0} listens on every interface
     * @return this builder
     */
    public Builder bindAddress(InetSocketAddress bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /**
     * Sets the peers' addresses; see {@link NettyTransport#updatePeers(Map)} to change them.
     *
     * @param peers where the other nodes dial each node, the local one included or not
     * @return this builder
     */
    public Builder peers(Map<NodeId, InetSocketAddress> peers) {
      this.peers = Map.copyOf(Objects.requireNonNull(peers, "peers"));
      return this;
    }

    /**
     * Sets the largest frame accepted or sent (default 16 MiB and 64 KiB).
     *
     * @param maxFrameBytes the limit in bytes, at least 1 KiB
     * @return this builder
     */
    public Builder maxFrameBytes(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
      return this;
    }

    /**
     * Sets how long a connection attempt may take (default 3 s), and how long a dialer waits for
     * the answer to its handshake.
     *
     * @param connectTimeout a positive duration
     * @return this builder
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Sets the reconnection backoff: the delay starts at {@code min}, doubles after each failed
     * attempt up to {@code max}, and is randomized by up to half (defaults 50 ms and 2 s).
     *
     * @param min the first delay, positive
     * @param max the longest delay, at least {@code min}
     * @return this builder
     */
    public Builder reconnectBackoff(Duration min, Duration max) {
      this.reconnectBackoffMin = Objects.requireNonNull(min, "min");
      this.reconnectBackoffMax = Objects.requireNonNull(max, "max");
      return this;
    }

    /**
     * Sets the per-peer write-buffer water marks: above {@code highBytes} queued, messages to that
     * peer are dropped until the queue falls below {@code lowBytes} (defaults 2 MiB and 8 MiB).
     *
     * @param lowBytes the low water mark, at least 0
     * @param highBytes the high water mark, at least {@code lowBytes}
     * @return this builder
     */
    public Builder writeBufferWaterMarks(int lowBytes, int highBytes) {
      this.writeBufferLowWaterMarkBytes = lowBytes;
      this.writeBufferHighWaterMarkBytes = highBytes;
      return this;
    }

    /**
     * Sets the number of I/O threads (default 1). A node runs its consensus loop on one of them,
     * and every connection is registered there, so more threads serve only a transport used
     * without a node.
     *
     * @param ioThreads at least 1
     * @return this builder
     */
    public Builder ioThreads(int ioThreads) {
      this.ioThreads = ioThreads;
      return this;
    }

    /**
     * Sets whether to use native epoll when available (default true); NIO otherwise. Epoll is
     * available on Linux on x86_64 and aarch64 with Netty's epoll jars on the class path (this
     * module brings them; an application may exclude them and run on NIO).
     *
     * @param nativeTransport whether to use epoll where it is available
     * @return this builder
     */
    public Builder nativeTransport(boolean nativeTransport) {
      this.nativeTransport = nativeTransport;
      return this;
    }

    /**
     * Turns on mutual TLS. Every connection, in and out, then requires a certificate signed by a CA
     * in {@code trustedCaFile}; plaintext connections are refused. Each node's certificate must
     * name its node id as the subject alternative name {@code URI:floe:node:<id>}: an acceptor
     * serves a dialer only if the dialer's certificate names the node id it claims, and a dialer
     * talks to an acceptor only if its certificate names the peer it meant to reach (see {@link
     * #tlsNodeIdentityRequired}). Host names are checked only with {@link
     * #tlsHostnameVerification}. {@link NettyTransport#reloadTls()} rereads the files.
     *
     * @param privateKeyFile PEM file with this node's PKCS#8 private key, unencrypted or encrypted
     *     (then give {@link #tlsPrivateKeyPassword})
     * @param certificateChainFile PEM file with this node's certificate, then any intermediates
     * @param trustedCaFile PEM file with the certificates of the trusted CAs
     * @return this builder
     */
    public Builder mutualTls(Path privateKeyFile, Path certificateChainFile, Path trustedCaFile) {
      this.tlsPrivateKeyFile = Objects.requireNonNull(privateKeyFile, "privateKeyFile");
      this.tlsCertificateChainFile =
          Objects.requireNonNull(certificateChainFile, "certificateChainFile");
      this.tlsTrustedCaFile = Objects.requireNonNull(trustedCaFile, "trustedCaFile");
      return this;
    }

    /**
     * Sets the password of an encrypted PKCS#8 private key ({@code BEGIN ENCRYPTED PRIVATE KEY},
     * as {@code openssl pkcs8 -topk8 -v2 aes-256-cbc} writes it). The array is copied; clear yours
     * once the options are built.
     *
     * @param password the key's password
     * @return this builder
     */
    public Builder tlsPrivateKeyPassword(char[] password) {
      this.tlsPrivateKeyPassword = Objects.requireNonNull(password, "password").clone();
      return this;
    }

    /**
     * Sets whether a dialing node checks that the certificate of the node it reaches is valid for
     * the host name or IP address it dialed, as HTTPS clients do (default false: nodes are often
     * dialed by IP, and the node id in the certificate is what binds a peer). With it on, each
     * certificate needs a DNS or IP subject alternative name for every name peers dial it by.
     *
     * @param verify whether to verify host names
     * @return this builder
     */
    public Builder tlsHostnameVerification(boolean verify) {
      this.tlsHostnameVerification = verify;
      return this;
    }

    /**
     * Sets whether certificates must name their nodes (default true): this node's own certificate
     * must carry {@code URI:floe:node:<its id>} (checked at start), and a peer's connection is
     * refused unless its certificate names the node it is. Turn it off only while moving a
     * cluster to certificates that carry the name: without it, any certificate of the trusted CAs
     * may claim any node id (logged at WARN at start).
     *
     * @param required whether certificates must name their nodes
     * @return this builder
     */
    public Builder tlsNodeIdentityRequired(boolean required) {
      this.tlsNodeIdentityRequired = required;
      return this;
    }

    /**
     * Validates and builds the options.
     *
     * @return the options
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public NettyTransportOptions build() {
      if (bindAddress == null) {
        throw new IllegalArgumentException("bindAddress is required");
      }
      peers.forEach((id, address) -> Objects.requireNonNull(address, "address of peer " + id));
      if (maxFrameBytes < 1024) {
        throw new IllegalArgumentException("maxFrameBytes must be >= 1024: " + maxFrameBytes);
      }
      requirePositive("connectTimeout", connectTimeout);
      requirePositive("reconnectBackoff min", reconnectBackoffMin);
      if (reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
        throw new IllegalArgumentException(
            "reconnectBackoff max " + reconnectBackoffMax + " < min " + reconnectBackoffMin);
      }
      if (writeBufferLowWaterMarkBytes < 0
          || writeBufferHighWaterMarkBytes < writeBufferLowWaterMarkBytes) {
        throw new IllegalArgumentException(
            "write-buffer water marks need 0 <= low <= high: low=" + writeBufferLowWaterMarkBytes
                + " high=" + writeBufferHighWaterMarkBytes);
      }
      if (ioThreads < 1) {
        throw new IllegalArgumentException("ioThreads must be >= 1: " + ioThreads);
      }
      if (tlsPrivateKeyFile == null && (tlsPrivateKeyPassword != null || tlsHostnameVerification)) {
        throw new IllegalArgumentException((tlsPrivateKeyPassword != null
            ? "tlsPrivateKeyPassword" : "tlsHostnameVerification") + " needs mutualTls(...)");
      }
      return new NettyTransportOptions(this);
    }

    private static void requirePositive(String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
    }
  }
}
