package dev.floe.raft.transport.netty;

import dev.floe.raft.cluster.NodeId;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
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
 * map); the transport ignores that entry.
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
  private final ByteBufAllocator allocator;
  private final Path tlsPrivateKeyFile;
  private final Path tlsCertificateChainFile;
  private final Path tlsTrustedCaFile;

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
    this.allocator = b.allocator;
    this.tlsPrivateKeyFile = b.tlsPrivateKeyFile;
    this.tlsCertificateChainFile = b.tlsCertificateChainFile;
    this.tlsTrustedCaFile = b.tlsTrustedCaFile;
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

  /** {@return whether native epoll is used when available (NIO otherwise)} */
  public boolean nativeTransport() {
    return nativeTransport;
  }

  /** {@return the buffer allocator} */
  public ByteBufAllocator allocator() {
    return allocator;
  }

  /** {@return whether mutual TLS is configured} */
  public boolean tlsEnabled() {
    return tlsPrivateKeyFile != null;
  }

  /** {@return the PEM file with this node's PKCS#8 private key, if TLS is configured} */
  public Optional<Path> tlsPrivateKeyFile() {
    return Optional.ofNullable(tlsPrivateKeyFile);
  }

  /** {@return the PEM file with this node's certificate chain, if TLS is configured} */
  public Optional<Path> tlsCertificateChainFile() {
    return Optional.ofNullable(tlsCertificateChainFile);
  }

  /** {@return the PEM file with the certificates of the trusted CAs, if TLS is configured} */
  public Optional<Path> tlsTrustedCaFile() {
    return Optional.ofNullable(tlsTrustedCaFile);
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
    private ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private Path tlsPrivateKeyFile;
    private Path tlsCertificateChainFile;
    private Path tlsTrustedCaFile;

    private Builder() {}

    /**
     * Sets the address to listen on (required); port 0 picks a free port.
     *
     * @param bindAddress the address
     * @return this builder
     */
    public Builder bindAddress(InetSocketAddress bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /**
     * Sets the peers' addresses; see {@link NettyTransport#updatePeers(Map)} to change them.
     *
     * @param peers every member's address (the node's own is ignored)
     * @return this builder
     */
    public Builder peers(Map<NodeId, InetSocketAddress> peers) {
      this.peers = Map.copyOf(Objects.requireNonNull(peers, "peers"));
      return this;
    }

    /**
     * Sets the largest frame accepted or sent, in bytes (default 16 MiB, at least 1 KiB).
     *
     * @param maxFrameBytes the limit, in bytes
     * @return this builder
     */
    public Builder maxFrameBytes(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
      return this;
    }

    /**
     * Sets how long a connection attempt may take (default 3 s).
     *
     * @param connectTimeout the timeout
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
     * @param min the first delay
     * @param max the longest delay
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
     * @param lowBytes the low water mark, in bytes
     * @param highBytes the high water mark, in bytes
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
     * @param ioThreads the number of threads
     * @return this builder
     */
    public Builder ioThreads(int ioThreads) {
      this.ioThreads = ioThreads;
      return this;
    }

    /**
     * Sets whether to use native epoll when available (default true); NIO otherwise.
     *
     * @param nativeTransport whether to use epoll
     * @return this builder
     */
    public Builder nativeTransport(boolean nativeTransport) {
      this.nativeTransport = nativeTransport;
      return this;
    }

    /**
     * Sets the buffer allocator (default {@link PooledByteBufAllocator#DEFAULT}).
     *
     * @param allocator the allocator
     * @return this builder
     */
    public Builder allocator(ByteBufAllocator allocator) {
      this.allocator = Objects.requireNonNull(allocator, "allocator");
      return this;
    }

    /**
     * Turns on mutual TLS. Every connection, in and out, then requires a certificate signed by a CA
     * in {@code trustedCaFile}; plaintext connections are refused. Peers are authenticated by
     * their CA alone: host names are not checked against certificates.
     *
     * @param privateKeyFile PEM file with this node's PKCS#8 private key (unencrypted)
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
      return new NettyTransportOptions(this);
    }

    private static void requirePositive(String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
    }
  }
}
