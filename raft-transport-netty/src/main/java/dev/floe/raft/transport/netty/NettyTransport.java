package dev.floe.raft.transport.netty;

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link Transport}: length-prefixed binary frames over TCP with Netty, optionally in
 * mutual TLS.
 *
 * <p>Each node listens on one socket and dials two connections to each peer the first time it
 * sends to it: one for control messages and one for bulk data (entries, snapshot chunks; see
 * {@link Lane}), so that heartbeats and votes never wait behind a large AppendEntries and are never
 * dropped because bulk data filled a connection's buffer. Messages to a peer keep their order
 * within a lane. A connection carries messages one way, from the dialer to the acceptor; replies
 * travel on the replier's own connection. The dialer's first frame is a handshake naming the
 * protocol version, the cluster id and its node id; the acceptor closes the connection if any of
 * them is wrong or unknown, and drops any later message whose sender is not that node. The wire
 * format is described in the package-private {@code WireFormat} class.
 *
 * <p>A handshake that names another cluster, or a node that is not a peer, is refused with a
 * reason: the acceptor logs it at WARN with the dialer's address and claimed node id and the ids
 * that disagree, and sends the dialer a refusal naming its own cluster and node id before it
 * closes. The dialer logs at WARN why it is refused, once per peer (again only if the reason
 * changes, or after the peer accepted it for a while), not on each redial; it keeps redialing with
 * backoff, so the connection comes up by itself once the configuration is fixed.
 *
 * <p>{@link #send} never blocks and never throws. It drops (and counts, see
 * {@link #droppedMessageCount()}) a message to an unknown peer, one larger than the maximum frame
 * size, and messages to a peer that is unreachable (while waiting to redial, with exponential
 * backoff) or whose connection has more than the write-buffer high water mark queued; so the
 * memory held per peer is bounded. While a connection is being set up, messages to that peer are
 * queued within the same bound. Writes are flushed once per batch, not per message.
 *
 * <p>A node runs its consensus loop on the transport's I/O thread ({@link #eventLoop()}), which
 * every connection of the transport is registered on: a received message steps the node without a
 * thread hand-off, and the node's messages are written at once, flushed once per batch. Inbound
 * messages are passed to the consumer given to {@link #start} on that thread (on Netty's I/O
 * threads, possibly concurrently, if no node asked for the loop and {@code ioThreads} is above 1). A malformed or oversized frame closes the connection it came on (and is
 * logged) and harms no other connection.
 *
 * <p>Thread-safe. Uses native epoll when available, NIO otherwise.
 */
public final class NettyTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);
  private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
  private static final long CLOSE_TIMEOUT_SECONDS = 5;

  private final NettyTransportOptions options;
  /** Each peer's two outbound connections, by {@link Lane}. */
  private final Map<NodeId, PeerConnection[]> peers = new ConcurrentHashMap<>();
  /** Peers from the options or {@link #updatePeers}; guarded by {@code lifecycle}. */
  private Map<NodeId, InetSocketAddress> staticPeers = Map.of();
  /** Members' addresses from the cluster's configuration; guarded by {@code lifecycle}. */
  private Map<NodeId, InetSocketAddress> memberPeers = Map.of();
  /** Each peer's inbound connections, by {@link Lane}. */
  private final Map<NodeId, Channel[]> inbound = new ConcurrentHashMap<>();
  private final Set<NodeId> warnedUnknown = ConcurrentHashMap.newKeySet();
  private final Set<String> warnedRefusals = ConcurrentHashMap.newKeySet();
  private final LongAdder droppedSent = new LongAdder();
  private final LongAdder droppedReceived = new LongAdder();
  private final LongAdder outboundClosed = new LongAdder();
  private final Backoff backoff;

  private final Object lifecycle = new Object();
  private volatile boolean started;
  private volatile boolean closed;
  private NodeId self;
  /** The cluster every connection's handshake must name, given by the node at start. */
  private volatile String clusterId;
  private Consumer<RaftMessage> consumer;
  private EventLoopGroup group;
  /** The I/O thread the node's loop runs on, once the node asked for it; every channel's loop. */
  private NettyEventLoop nodeLoop;
  private boolean epoll;
  private Channel serverChannel;
  private Bootstrap bootstrap;
  private TlsContexts tls;
  private Handshake handshake;

  /**
   * Creates a transport; nothing happens until {@link #start}.
   *
   * @param options the configuration
   */
  public NettyTransport(NettyTransportOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.backoff = new Backoff(options.reconnectBackoffMin().toNanos(),
        options.reconnectBackoffMax().toNanos());
  }

  /**
   * Starts listening on the configured bind address.
   *
   * @throws IOException if the address cannot be bound (the message names it) or a TLS file cannot
   *     be read or parsed (the message names the file)
   * @throws IllegalStateException if called twice or after {@link #close}
   */
  @Override
  public void start(ClusterId clusterId, NodeId self, Consumer<RaftMessage> inbound)
      throws IOException {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(self, "self");
    Objects.requireNonNull(inbound, "inbound");
    synchronized (lifecycle) {
      if (started || closed) {
        throw new IllegalStateException("transport already started or closed");
      }
      this.self = self;
      this.consumer = inbound;
      this.clusterId = clusterId.value();
      this.handshake = new Handshake(WireFormat.VERSION, clusterId.value(), self);
      this.tls = options.tlsEnabled() ? TlsContexts.load(options) : null;
      createGroup(self.value());
      bootstrap = clientBootstrap(epoll ? EpollSocketChannel.class : NioSocketChannel.class);
      ChannelFuture bind = serverBootstrap(
          epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
          .bind(options.bindAddress())
          .awaitUninterruptibly();
      if (!bind.isSuccess()) {
        shutDownGroup();
        Throwable cause = bind.cause();
        throw new IOException("cannot listen on " + describe(options.bindAddress()) + ": "
            + cause.getMessage(), cause);
      }
      serverChannel = bind.channel();
      started = true;
      updatePeers(options.peers());
      log.info("{}: listening on {} ({}, {})", self, describe(localAddress()),
          epoll ? "epoll" : "nio", tls != null ? "mutual TLS" : "plaintext");
    }
  }

  /** Creates the I/O threads, once: when the node asks for its loop, or at start. */
  private void createGroup(String name) {
    if (group != null) {
      return;
    }
    epoll = options.nativeTransport() && Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    group = new MultiThreadIoEventLoopGroup(options.ioThreads(),
        new DefaultThreadFactory("floe-netty-" + name, true), io);
  }

  /** Where channels are registered: the node's loop if it runs on one of ours, else any. */
  private EventLoopGroup channelGroup() {
    return nodeLoop != null ? nodeLoop.netty() : group;
  }

  /**
   * Returns one of this transport's I/O threads for the node to run its consensus loop on; every
   * channel of the transport is registered on it. Called before {@link #start}; the thread starts
   * with the first task and ends with {@link #close}.
   */
  @Override
  public Optional<dev.floe.raft.spi.EventLoop> eventLoop() {
    synchronized (lifecycle) {
      if (closed) {
        return Optional.empty();
      }
      if (nodeLoop == null) {
        createGroup(String.valueOf(options.bindAddress().getPort()));
        nodeLoop = new NettyEventLoop(group.next());
      }
      return Optional.of(nodeLoop);
    }
  }

  private ServerBootstrap serverBootstrap(Class<? extends ServerChannel> channelClass) {
    InboundHost host = new Host();
    return new ServerBootstrap()
        .group(channelGroup(), channelGroup())
        .channel(channelClass)
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.ALLOCATOR, options.allocator())
        .childOption(ChannelOption.ALLOCATOR, options.allocator())
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChannelPipeline p = ch.pipeline();
            if (tls != null) {
              p.addLast("tls", tls.server.newHandler(ch.alloc()));
            }
            p.addLast("frameEncoder", new FrameEncoder()); // for a refusal, the only frame sent
            FrameDecoder frames = new FrameDecoder(options.maxFrameBytes());
            p.addLast("frameDecoder", frames);
            p.addLast("inbound", new InboundHandler(host, frames, HANDSHAKE_TIMEOUT_MILLIS));
          }
        });
  }

  private Bootstrap clientBootstrap(Class<? extends Channel> channelClass) {
    return new Bootstrap()
        .group(channelGroup())
        .channel(channelClass)
        .option(ChannelOption.ALLOCATOR, options.allocator())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()))
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
            options.writeBufferLowWaterMarkBytes(), options.writeBufferHighWaterMarkBytes()))
        .option(ChannelOption.MESSAGE_SIZE_ESTIMATOR, FrameSizeEstimator.INSTANCE);
  }

  private ChannelFuture connect(NodeId peer, InetSocketAddress address,
      Consumer<Refusal> onRefusal) {
    return bootstrap.clone()
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChannelPipeline p = ch.pipeline();
            if (tls != null) {
              p.addLast("tls",
                  tls.client.newHandler(ch.alloc(), address.getHostString(), address.getPort()));
            }
            p.addLast("flushConsolidation", new FlushConsolidationHandler(256, true));
            p.addLast("frameEncoder", new FrameEncoder());
            // Only a refusal ever comes back, and it is small: the pre-handshake limit holds.
            p.addLast("frameDecoder", new FrameDecoder(WireFormat.MAX_HANDSHAKE_FRAME_BYTES));
            p.addLast("outbound", new OutboundHandler(self, peer, onRefusal));
          }
        })
        .connect(address);
  }

  /**
   * Sends {@code message} to its receiver, or drops it; see the class comment. Never blocks and
   * never throws.
   */
  @Override
  public void send(RaftMessage message) {
    if (message == null) {
      droppedSent.increment();
      log.warn("{}: dropped a null message", self);
      return;
    }
    try {
      if (!started || closed) {
        droppedSent.increment();
        log.debug("dropped {}: transport not running", message);
        return;
      }
      PeerConnection[] lanes = peers.get(message.to());
      if (lanes == null) {
        droppedSent.increment();
        if (warnedUnknown.size() < 1000 && warnedUnknown.add(message.to())) {
          log.warn("{}: dropping messages to unknown node {}", self, message.to());
        } else {
          log.debug("{}: dropped {} to unknown node", self, message);
        }
        return;
      }
      int size = MessageCodec.encodedSize(message);
      if (size > options.maxFrameBytes()) {
        droppedSent.increment();
        log.warn("{}: dropped {}: {} bytes is over the maximum frame size of {}", self, message,
            size, options.maxFrameBytes());
        return;
      }
      lanes[Lane.of(message).ordinal()].send(message, size);
    } catch (RuntimeException e) {
      droppedSent.increment();
      log.warn("{}: dropped {}: {}", self, message, e.toString(), e);
    }
  }

  /** The largest frame this transport sends or accepts ({@link NettyTransportOptions#maxFrameBytes}). */
  @Override
  public int maxMessageBytes() {
    return options.maxFrameBytes();
  }

  /**
   * Replaces the peers' addresses given in the options. Members whose address the cluster's
   * configuration carries (see {@link #membersChanged}) stay reachable at that address. A removed
   * peer's connections, in and out, are closed; a peer whose address changed is redialed at its
   * new address. The map may contain the local node, which is ignored.
   *
   * @param newPeers every peer's address
   */
  public void updatePeers(Map<NodeId, InetSocketAddress> newPeers) {
    Map<NodeId, InetSocketAddress> copy = new HashMap<>(newPeers);
    copy.values().forEach(a -> Objects.requireNonNull(a, "peer address"));
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      if (!started) {
        throw new IllegalStateException("transport not started");
      }
      staticPeers = Map.copyOf(copy);
      applyPeers();
    }
  }

  /**
   * Follows the cluster's membership: the peers become those given in the options (or by {@link
   * #updatePeers}) plus every member whose address the configuration carries (as {@code
   * host:port}, IPv6 hosts in brackets), which is how nodes added while the cluster runs are
   * reached. A member's address in the configuration wins. An address that does not parse is
   * logged and skipped.
   */
  @Override
  public void membersChanged(Configuration configuration) {
    Map<NodeId, InetSocketAddress> parsed = new HashMap<>();
    configuration.addresses().forEach((id, text) -> {
      try {
        parsed.put(id, parseAddress(text));
      } catch (IllegalArgumentException e) {
        log.warn("{}: ignoring the address of {}: {}", self, id, e.getMessage());
      }
    });
    synchronized (lifecycle) {
      if (closed || !started) {
        return;
      }
      memberPeers = Map.copyOf(parsed);
      applyPeers();
    }
  }

  /** Makes the connections follow the static and member peers; holding {@code lifecycle}. */
  private void applyPeers() {
    Map<NodeId, InetSocketAddress> copy = new HashMap<>(staticPeers);
    copy.putAll(memberPeers);
    copy.remove(self);
    for (NodeId id : Set.copyOf(peers.keySet())) {
      if (!copy.containsKey(id)) {
        for (PeerConnection c : peers.remove(id)) {
          c.close();
        }
        Channel[] in = inbound.remove(id);
        if (in != null) {
          for (Channel ch : in) {
            if (ch != null) {
              ch.close();
            }
          }
        }
        log.info("{}: removed peer {}", self, id);
      }
    }
    copy.forEach((id, address) -> {
      PeerConnection[] existing = peers.get(id);
      if (existing == null) {
        PeerConnection[] lanes = new PeerConnection[Lane.values().length];
        for (Lane lane : Lane.values()) {
          lanes[lane.ordinal()] = new PeerConnection(self, id, lane, address, dialer, backoff,
              options.reconnectBackoffMax().toNanos(), options.writeBufferHighWaterMarkBytes(),
              droppedSent, outboundClosed);
        }
        peers.put(id, lanes);
      } else {
        for (PeerConnection c : existing) {
          c.updateAddress(address);
        }
      }
    });
  }

  /**
   * Parses {@code host:port} ({@code [v6]:port} for IPv6).
   *
   * @param text the address
   * @return the address, its host resolved
   * @throws IllegalArgumentException if the text is not such an address
   */
  public static InetSocketAddress parseAddress(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not host:port");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no numeric port");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " of '" + text + "' is out of range");
    }
    return new InetSocketAddress(host, port);
  }

  /**
   * Returns the address the transport listens on; useful after binding port 0.
   *
   * @return the bound address
   * @throws IllegalStateException if not started
   */
  public InetSocketAddress localAddress() {
    Channel ch = serverChannel;
    if (ch == null) {
      throw new IllegalStateException("transport not started");
    }
    return (InetSocketAddress) ch.localAddress();
  }

  /**
   * Returns how many messages were dropped so far: outbound ones not sent (unknown or unreachable
   * peer, full write buffer, oversized) and inbound ones not delivered (wrong sender or receiver).
   *
   * @return the number of dropped messages
   */
  public long droppedMessageCount() {
    return droppedSent.sum() + droppedReceived.sum();
  }

  /** Returns how many outbound connections or connection attempts have ended (for tests). */
  long outboundConnectionsClosed() {
    return outboundClosed.sum();
  }

  /** Returns whether the outbound connection to {@code peer} is up (for tests). */
  boolean isConnectedTo(NodeId peer) {
    PeerConnection[] p = peers.get(peer);
    return p != null && p[Lane.CONTROL.ordinal()].isReady();
  }

  /** Closes every connection and the listening socket, and stops the I/O threads. Idempotent. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      peers.values().forEach(lanes -> {
        for (PeerConnection c : lanes) {
          c.close();
        }
      });
      peers.clear();
      if (serverChannel != null) {
        serverChannel.close().awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
      inbound.values().forEach(lanes -> {
        for (Channel ch : lanes) {
          if (ch != null) {
            ch.close();
          }
        }
      });
      inbound.clear();
      if (group != null) {
        shutDownGroup();
      }
      log.info("{}: transport closed", self);
    }
  }

  private void shutDownGroup() {
    Future<?> f = group.shutdownGracefully(0, CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!group.next().inEventLoop()) {
      f.awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS * 2, TimeUnit.SECONDS);
    }
  }

  private static String describe(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  private final PeerConnection.Dialer dialer = new PeerConnection.Dialer() {
    @Override
    public ChannelFuture connect(NodeId peer, InetSocketAddress address,
        Consumer<Refusal> onRefusal) {
      return NettyTransport.this.connect(peer, address, onRefusal);
    }

    @Override
    public Handshake handshake(Lane lane) {
      return new Handshake(handshake.version(), handshake.clusterId(), handshake.nodeId(), lane);
    }
  };

  /** The transport as seen by accepted connections. */
  private final class Host implements InboundHost {
    @Override
    public NodeId self() {
      return self;
    }

    @Override
    public String clusterId() {
      return clusterId;
    }

    @Override
    public boolean isPeer(NodeId id) {
      return peers.containsKey(id);
    }

    @Override
    public void inboundAccepted(NodeId peer, Lane lane, Channel channel) {
      Channel previous;
      synchronized (inbound) {
        Channel[] lanes = inbound.computeIfAbsent(peer, k -> new Channel[Lane.values().length]);
        previous = lanes[lane.ordinal()];
        lanes[lane.ordinal()] = channel;
      }
      if (previous != null && previous != channel) {
        // The peer redialed (it restarted, or its old connection broke without us noticing).
        previous.close();
      }
      if (!peers.containsKey(peer)) { // removed while its handshake was in flight
        inboundClosed(peer, lane, channel);
        channel.close();
      }
    }

    @Override
    public void inboundClosed(NodeId peer, Lane lane, Channel channel) {
      synchronized (inbound) {
        Channel[] lanes = inbound.get(peer);
        if (lanes != null && lanes[lane.ordinal()] == channel) {
          lanes[lane.ordinal()] = null;
        }
      }
    }

    @Override
    public void deliver(RaftMessage message) {
      try {
        consumer.accept(message);
      } catch (RuntimeException e) {
        log.warn("{}: the inbound consumer failed on {}", self, message, e);
      }
    }

    @Override
    public void receivedDropped() {
      droppedReceived.increment();
    }

    @Override
    public boolean firstRefusal(String key) {
      return warnedRefusals.size() < 1000 && warnedRefusals.add(key);
    }
  }

  /** Sizes queued messages by their encoded frame, so the water marks bound real memory. */
  private static final class FrameSizeEstimator implements MessageSizeEstimator {
    static final FrameSizeEstimator INSTANCE = new FrameSizeEstimator();
    private static final Handle HANDLE = msg -> {
      if (msg instanceof RaftMessage m) {
        return WireFormat.LENGTH_BYTES + MessageCodec.encodedSize(m);
      } else if (msg instanceof ByteBuf b) {
        return b.readableBytes();
      }
      return 8;
    };

    @Override
    public Handle newHandle() {
      return HANDLE;
    }
  }
}
