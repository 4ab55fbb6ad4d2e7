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

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.MetricsSink;
import dev.floe.raft.spi.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
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
 * protocol versions it speaks, the cluster id and its node id; the acceptor answers with the
 * highest version both speak, or closes the connection if any of them is wrong or unknown, and
 * drops any later message whose sender is not that node. A node speaks the current protocol
 * version and the one before it, so a cluster can be upgraded one node at a time. The wire format
 * is described in the package-private {@code WireFormat} class, the policy in {@code
 * docs/transport.md}.
 *
 * <p>A handshake that names another cluster or a node that is not a peer, that offers no version
 * in common, or (with mutual TLS) whose dialer's certificate does not name the node it claims, is
 * refused with a reason: the acceptor logs it at WARN with the dialer's address and claimed node
 * id and what disagrees, and sends the dialer a refusal naming its own cluster and node id before
 * it closes. The dialer logs at WARN why it is refused, once per peer (again only if the reason
 * changes, or after the peer accepted it for a while), not on each redial; it keeps redialing with
 * backoff, so the connection comes up by itself once the configuration is fixed.
 *
 * <p>{@link #send} never blocks and never throws. It drops (and counts, see
 * {@link #droppedMessageCount()} and, by reason, {@link #bindMetrics}) a message to an unknown peer, one larger than the maximum frame
 * size, and messages to a peer that is unreachable (while waiting to redial, with exponential
 * backoff) or whose connection has more than the write-buffer high water mark queued; so the
 * memory held per peer is bounded. While a connection is being set up, messages to that peer are
 * queued within the same bound. Writes are flushed once per batch, not per message.
 *
 * <p>A node runs its consensus loop on the transport's I/O thread ({@link #eventLoop()}), which
 * every connection of the transport is registered on: a received message steps the node without a
 * thread hand-off, and the node's messages are written at once, flushed once per batch. Inbound
 * messages are passed to the consumer given to {@link #start} on that thread (on Netty's I/O
 * threads, possibly concurrently, if no node asked for the loop and {@code ioThreads} is above 1).
 * A malformed or oversized frame closes the connection it came on (and is logged) and harms no
 * other connection.
 *
 * <p>Mutual TLS binds certificates to node ids: a node's certificate must carry the subject
 * alternative name {@code URI:floe:node:<id>}; the acceptor serves a dialer only if its
 * certificate names the node its handshake claims, and the dialer talks to an acceptor only if its
 * certificate names the peer it meant to reach. {@link #reloadTls()} rereads the files; new
 * connections use them.
 *
 * <p>Netty: runs on Netty 4.1 or 4.2, whichever the class path carries (it uses only APIs both
 * have). Uses native epoll when available, NIO otherwise: {@link #ioMode()} says which, and the
 * start is logged with it and the Netty version.
 *
 * <p>Thread-safe.
 */
public final class NettyTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);
  private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
  private static final long CLOSE_TIMEOUT_SECONDS = 5;
  /** Every buffer comes from Netty's pooled allocator, on either Netty line. */
  private static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

  private final NettyTransportOptions options;
  private final HandshakeDialect dialect;
  /** Each peer's two outbound connections, by {@link Lane}. */
  private final Map<NodeId, PeerConnection[]> peers = new ConcurrentHashMap<>();
  /** Peers from the options or {@link #updatePeers}; guarded by {@code lifecycle}. */
  private Map<NodeId, InetSocketAddress> staticPeers = Map.of();
  /** Members' addresses from the cluster's configuration; guarded by {@code lifecycle}. */
  private Map<NodeId, InetSocketAddress> memberPeers = Map.of();
  /** Each peer's inbound connections, by {@link Lane}. */
  private final Map<NodeId, Channel[]> inbound = new ConcurrentHashMap<>();
  /**
   * Every accepted connection not yet closed, from the moment it is accepted: also those whose
   * handshake has not been read yet or is being refused, which {@code inbound} does not hold.
   * {@link #close} closes them itself (see there why).
   */
  private final Set<Channel> accepted = ConcurrentHashMap.newKeySet();
  private final Set<NodeId> warnedUnknown = ConcurrentHashMap.newKeySet();
  private final Set<String> warnedRefusals = ConcurrentHashMap.newKeySet();
  private final DroppedMessages dropped = new DroppedMessages();
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
  private volatile IoMode ioMode;
  private Channel serverChannel;
  private Bootstrap bootstrap;
  /** The TLS contexts new connections use; replaced by {@link #reloadTls()}. */
  private volatile TlsContexts tls;
  /** Whether the members of the first configuration were checked against the peers. */
  private boolean membersChecked;
  /** Where the per-peer gauges go, once bound; guarded by {@code lifecycle}. */
  private MetricsSink metrics;
  private Map<String, String> metricTags = Map.of();
  /** Each peer's {@code floe.transport.queued.bytes} gauge; guarded by {@code lifecycle}. */
  private final Map<NodeId, AutoCloseable> queueGauges = new HashMap<>();

  /**
   * Creates a transport; nothing happens until {@link #start}.
   *
   * @param options the configuration
   */
  public NettyTransport(NettyTransportOptions options) {
    this(options, HandshakeDialect.CURRENT);
  }

  /** A transport that speaks {@code dialect}: an older release's, in tests of rolling upgrades. */
  NettyTransport(NettyTransportOptions options, HandshakeDialect dialect) {
    this.options = Objects.requireNonNull(options, "options");
    this.dialect = Objects.requireNonNull(dialect, "dialect");
    this.backoff = new Backoff(options.reconnectBackoffMin().toNanos(),
        options.reconnectBackoffMax().toNanos());
  }

  /**
   * Starts listening on the configured bind address.
   *
   * @throws IOException if the address cannot be bound (the message names it) or a TLS file cannot
   *     be read, parsed, or does not fit (the message names the file): the private key does not
   *     belong to the certificate, or the certificate does not name {@code self}
   * @throws IllegalArgumentException if the bind address contradicts {@code self}'s own entry in
   *     the peers map (another port, or a specific address that entry's host does not have)
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
      checkBindAddress(self);
      this.self = self;
      this.consumer = inbound;
      this.clusterId = clusterId.value();
      this.tls = options.tlsEnabled() ? TlsContexts.load(options, self) : null;
      createGroup(self.value());
      bootstrap = clientBootstrap(IoThreads.socketChannel(ioMode));
      ChannelFuture bind = serverBootstrap(IoThreads.serverChannel(ioMode))
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
      log.info("{}: listening on {} ({}, {}, protocol versions {}, Netty {})", self,
          describe(localAddress()), ioMode == IoMode.EPOLL ? "epoll" : "nio", tlsSummary(),
          dialect.speaks(), NettyVersions.summary());
      if (tls != null && !options.tlsNodeIdentityRequired()) {
        log.warn("{}: mutual TLS without node identity: any certificate of the trusted CAs may "
            + "claim any node id (turn tlsNodeIdentityRequired back on once every certificate "
            + "carries URI:{}<id>)", self, NodeIdentity.URI_PREFIX);
      }
    }
  }

  private String tlsSummary() {
    TlsContexts t = tls;
    if (t == null) {
      return "plaintext";
    }
    return "mutual TLS, " + t.describeCertificate()
        + (options.tlsHostnameVerification() ? ", host names verified" : "");
  }

  /**
   * Fails if the bind address contradicts the address peers dial this node at (its own entry in
   * the peers map, if it has one): another port, or a specific address that is not one of that
   * entry's host. A wildcard bind ({@code 0.0.0.0}, {@code ::}) fits any host.
   */
  private void checkBindAddress(NodeId self) {
    InetSocketAddress own = options.peers().get(self);
    if (own == null) {
      return;
    }
    InetSocketAddress bind = options.bindAddress();
    String contradiction = null;
    if (bind.getPort() != own.getPort()) {
      contradiction = "another port";
    } else if (bind.getAddress() != null && !bind.getAddress().isAnyLocalAddress()
        && !hostHasAddress(own, bind.getAddress())) {
      contradiction = "an address that " + own.getHostString() + " does not resolve to";
    }
    if (contradiction != null) {
      throw new IllegalArgumentException("the bind address of " + self + " ("
          + describe(bind) + ") contradicts its own entry in the peers map ("
          + describe(own) + "), where the other nodes dial it: it is " + contradiction
          + ". Bind to that address (or to 0.0.0.0 with its port), or, if peers reach this node "
          + "through a translated address, leave " + self + " out of its own peers map");
    }
  }

  private static boolean hostHasAddress(InetSocketAddress host, InetAddress address) {
    if (host.getAddress() != null && host.getAddress().equals(address)) {
      return true;
    }
    try {
      return Arrays.asList(InetAddress.getAllByName(host.getHostString())).contains(address);
    } catch (UnknownHostException e) {
      return true; // cannot tell from here; the peers' dials will
    }
  }

  /** Creates the I/O threads, once: when the node asks for its loop, or at start. */
  private void createGroup(String name) {
    if (group != null) {
      return;
    }
    ioMode = IoThreads.choose(options.nativeTransport(), name);
    group = IoThreads.group(ioMode, options.ioThreads(),
        new DefaultThreadFactory("floe-netty-" + name, true));
  }

  /**
   * {@return how the transport does its socket I/O: {@link IoMode#EPOLL} or {@link IoMode#NIO}}
   * See {@link IoMode} for when each is used. It is logged at start.
   *
   * @throws IllegalStateException if neither {@link #start} nor {@link #eventLoop()} has created
   *     the I/O threads yet
   */
  public IoMode ioMode() {
    IoMode mode = ioMode;
    if (mode == null) {
      throw new IllegalStateException("the transport has no I/O threads yet: start it first");
    }
    return mode;
  }

  /**
   * Rereads the TLS files named in the options (key, certificate chain, trusted CAs), checks them
   * as {@link #start} does, and makes every connection opened from now on, in and out, use them;
   * open connections keep the certificates they were opened with. Call it once new files are in
   * place (after a certificate renewal, or a new CA in the trusted file). If the new files are
   * wrong, nothing changes and the error names the file.
   *
   * @throws IOException naming the file that is missing, unreadable, invalid or does not fit
   * @throws IllegalStateException if the transport is not running or has no TLS configured
   */
  public void reloadTls() throws IOException {
    synchronized (lifecycle) {
      if (!started || closed) {
        throw new IllegalStateException("transport not running");
      }
      if (!options.tlsEnabled()) {
        throw new IllegalStateException("mutual TLS is not configured");
      }
      TlsContexts fresh = TlsContexts.load(options, self);
      tls = fresh;
      log.info("{}: reloaded the TLS files ({}); new connections use them", self,
          fresh.describeCertificate());
    }
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
        .handler(new AcceptedChannels())
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.ALLOCATOR, ALLOCATOR)
        .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChannelPipeline p = ch.pipeline();
            TlsContexts t = tls;
            if (t != null) {
              p.addLast("tls", t.server.newHandler(ch.alloc()));
            }
            // For the answer to the handshake, the only frame an acceptor sends.
            p.addLast("frameEncoder", new FrameEncoder(dialect));
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
        .option(ChannelOption.ALLOCATOR, ALLOCATOR)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()))
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
            options.writeBufferLowWaterMarkBytes(), options.writeBufferHighWaterMarkBytes()))
        .option(ChannelOption.MESSAGE_SIZE_ESTIMATOR, FrameSizeEstimator.INSTANCE);
  }

  private ChannelFuture connect(NodeId peer, InetSocketAddress address,
      OutboundHandler.Listener listener) {
    return bootstrap.clone()
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChannelPipeline p = ch.pipeline();
            TlsContexts t = tls;
            if (t != null) {
              p.addLast("tls",
                  t.client.newHandler(ch.alloc(), address.getHostString(), address.getPort()));
            }
            p.addLast("flushConsolidation", new FlushConsolidationHandler(256, true));
            p.addLast("frameEncoder", new FrameEncoder(dialect));
            // Only an answer to the handshake ever comes back, and it is small: the pre-handshake
            // limit holds.
            p.addLast("frameDecoder", new FrameDecoder(WireFormat.MAX_HANDSHAKE_FRAME_BYTES));
            p.addLast("outbound", new OutboundHandler(self, peer, listener));
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
      dropped.add(DroppedMessages.Reason.FAILED);
      log.warn("{}: dropped a null message", self);
      return;
    }
    try {
      if (!started || closed) {
        dropped.add(DroppedMessages.Reason.CLOSED);
        log.debug("dropped {}: transport not running", message);
        return;
      }
      PeerConnection[] lanes = peers.get(message.to());
      if (lanes == null) {
        dropped.add(DroppedMessages.Reason.UNKNOWN_PEER);
        if (warnedUnknown.size() < 1000 && warnedUnknown.add(message.to())) {
          log.warn("{}: dropping messages to unknown node {}", self, message.to());
        } else {
          log.debug("{}: dropped {} to unknown node", self, message);
        }
        return;
      }
      int size = MessageCodec.encodedSize(message);
      if (size > options.maxFrameBytes()) {
        dropped.add(DroppedMessages.Reason.OVERSIZED);
        log.warn("{}: dropped {}: {} bytes is over the maximum frame size of {}", self, message,
            size, options.maxFrameBytes());
        return;
      }
      lanes[Lane.of(message).ordinal()].send(message, size);
    } catch (RuntimeException e) {
      dropped.add(DroppedMessages.Reason.FAILED);
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
   *
   * <p>The first configuration after {@link #start} (which a node hands over as it starts) must
   * give every member an address, from the peers map or from the configuration: otherwise this
   * fails, naming the members that have none, and closes the transport, so that the node's start
   * fails instead of running with members it can never reach. Later changes that add a member
   * without an address are logged at WARN.
   *
   * @throws IllegalArgumentException if members of the first configuration have no address
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
    String missing;
    synchronized (lifecycle) {
      if (closed || !started) {
        return;
      }
      missing = membersWithoutAddress(configuration, parsed);
      if (missing != null && !membersChecked) {
        membersChecked = true;
        close();
        throw new IllegalArgumentException(missing);
      }
      membersChecked = true;
      memberPeers = Map.copyOf(parsed);
      applyPeers();
    }
    if (missing != null) {
      log.warn("{}: {}", self, missing);
    }
  }

  /** Describes the members that neither map gives an address, or returns null if none. */
  private String membersWithoutAddress(Configuration configuration,
      Map<NodeId, InetSocketAddress> fromConfiguration) {
    List<NodeId> missing = configuration.members().stream()
        .filter(id -> !id.equals(self) && !staticPeers.containsKey(id)
            && !fromConfiguration.containsKey(id))
        .toList();
    if (missing.isEmpty()) {
      return null;
    }
    return "member" + (missing.size() == 1 ? " " : "s ") + join(missing) + " of the cluster "
        + (missing.size() == 1 ? "has" : "have") + " no address: neither the transport's peers "
        + "map (" + (staticPeers.isEmpty() ? "empty" : join(staticPeers.keySet())) + ") nor the "
        + "cluster configuration gives one; add "
        + (missing.size() == 1 ? "it" : "them") + " to NettyTransportOptions.peers";
  }

  private static String join(java.util.Collection<NodeId> ids) {
    return String.join(", ", ids.stream().sorted().map(NodeId::value).toList());
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
        closeQuietly(queueGauges.remove(id));
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
              dropped, outboundClosed);
        }
        peers.put(id, lanes);
        registerQueueGauge(id);
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
   * @param text the address, as a cluster configuration carries it
   * @return the address, resolved if its host is a name that resolves
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
   * {@return the address the transport listens on} Useful after binding port 0.
   *
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
   * {@return how many messages were dropped so far} Outbound ones not sent (unknown or unreachable
   * peer, full write buffer, oversized) and inbound ones not delivered (wrong sender or receiver).
   */
  public long droppedMessageCount() {
    return dropped.total();
  }

  /** {@return how many messages were dropped for {@code reason} so far (for tests)} */
  long droppedMessageCount(DroppedMessages.Reason reason) {
    return dropped.count(reason);
  }

  /**
   * Reports the transport's figures to {@code metrics}, each meter with {@code tags} (the node's):
   * {@code floe.transport.dropped} counts dropped messages by {@code reason} ({@code
   * unknown_peer}, {@code unreachable}, {@code write_buffer_full}, {@code oversized}, {@code
   * closed}, {@code wrong_sender}, {@code failed}; those dropped before this call are carried
   * over), and {@code floe.transport.queued.bytes}, per {@code peer}, is the bytes queued for it
   * and not yet on its sockets (both lanes: while connecting, and written but not yet sent).
   *
   * @param metrics where to report
   * @param tags the tags every meter carries (the node's)
   */
  @Override
  public void bindMetrics(MetricsSink metrics, Map<String, String> tags) {
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(tags, "tags");
    synchronized (lifecycle) {
      this.metrics = metrics;
      this.metricTags = Map.copyOf(tags);
      dropped.bind(metrics, metricTags);
      peers.keySet().forEach(this::registerQueueGauge);
    }
  }

  /** Adds {@code peer}'s queued-bytes gauge if metrics are bound; holding {@code lifecycle}. */
  private void registerQueueGauge(NodeId peer) {
    if (metrics == null || queueGauges.containsKey(peer)) {
      return;
    }
    Map<String, String> tags = new HashMap<>(metricTags);
    tags.put("peer", peer.value());
    queueGauges.put(peer, metrics.gauge("floe.transport.queued.bytes",
        "bytes queued for the peer and not yet on its sockets", "bytes", Map.copyOf(tags),
        () -> queuedBytes(peer)));
  }

  /** {@return the bytes queued for {@code peer} on both lanes, 0 if it is not a peer} */
  long queuedBytes(NodeId peer) {
    PeerConnection[] lanes = peers.get(peer);
    long bytes = 0;
    if (lanes != null) {
      for (PeerConnection c : lanes) {
        bytes += c.queuedBytes();
      }
    }
    return bytes;
  }

  private void closeQuietly(AutoCloseable gauge) {
    if (gauge == null) {
      return;
    }
    try {
      gauge.close();
    } catch (Exception e) {
      log.warn("{}: removing a gauge failed", self, e);
    }
  }

  /** {@return how many outbound connections or connection attempts have ended (for tests)} */
  long outboundConnectionsClosed() {
    return outboundClosed.sum();
  }

  /** {@return whether the outbound connection to {@code peer} is up (for tests)} */
  boolean isConnectedTo(NodeId peer) {
    PeerConnection[] p = peers.get(peer);
    return p != null && p[Lane.CONTROL.ordinal()].isReady();
  }

  /**
   * Returns the protocol version the outbound connection to {@code peer} on {@code lane} speaks,
   * or 0 if it is not up (for tests).
   */
  int protocolVersionTo(NodeId peer, Lane lane) {
    PeerConnection[] p = peers.get(peer);
    return p == null ? 0 : p[lane.ordinal()].version();
  }

  /**
   * Closes every connection, in and out (accepted ones too, whatever state their handshake is in),
   * and the listening socket, and stops the I/O threads. Idempotent.
   */
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
      queueGauges.values().forEach(this::closeQuietly);
      queueGauges.clear();
      if (serverChannel != null) {
        serverChannel.close().awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
      // Nothing is accepted any more, so `accepted` is complete. Netty's shutdown of the I/O
      // threads below does not close these reliably: on 4.2, a thread whose shutdown starts while
      // it runs tasks (always so when this runs on it) ends with its channels still open. A dialer
      // of version 4, which expects no answer, would then never learn that this node is gone.
      for (Channel ch : accepted) {
        ch.close(); // runs before the channel's thread ends: queued before its shutdown
      }
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
        OutboundHandler.Listener listener) {
      return NettyTransport.this.connect(peer, address, listener);
    }

    @Override
    public ProtocolVersions speaks() {
      return dialect.speaks();
    }

    @Override
    public Handshake handshake(Lane lane, boolean exact) {
      ProtocolVersions offered = exact
          ? ProtocolVersions.exactly(Math.min(WireFormat.EXACT_HANDSHAKE_VERSION,
              dialect.speaks().max()))
          : dialect.speaks();
      return new Handshake(offered, clusterId, self, lane);
    }

    @Override
    public String certificateProblem(NodeId peer, InetSocketAddress address, Channel channel) {
      String mismatch = certificateMismatch(channel, peer);
      return mismatch == null ? null : "the TLS certificate of the node at " + describe(address)
          + " " + mismatch + ", not " + peer + " (the peer this node dialed)";
    }

    @Override
    public long answerTimeoutNanos() {
      return options.connectTimeout().toNanos();
    }
  };

  /**
   * Returns what is wrong with the certificate the other end of {@code channel} presented in its
   * TLS handshake if it does not name {@code id} (for example {@code "names node n2 (subject
   * CN=n2)"}), or null if it does, or if the channel has no TLS or node identity is not checked.
   */
  private String certificateMismatch(Channel channel, NodeId id) {
    SslHandler handler = channel.pipeline().get(SslHandler.class);
    if (handler == null || !options.tlsNodeIdentityRequired()) {
      return null;
    }
    Certificate[] chain;
    try {
      chain = handler.engine().getSession().getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      chain = new Certificate[0];
    }
    if (chain.length == 0) {
      return "is missing";
    }
    return NodeIdentity.named(chain[0]).contains(id) ? null : NodeIdentity.describe(chain[0]);
  }

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
    public HandshakeDialect dialect() {
      return dialect;
    }

    @Override
    public String identityProblem(Channel channel, NodeId claimed) {
      String mismatch = certificateMismatch(channel, claimed);
      return mismatch == null ? null
          : "its TLS certificate " + mismatch + ", not " + claimed + " (the node its handshake "
              + "claims)";
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
      PeerConnection[] outbound = peers.get(peer);
      if (outbound == null) { // removed while its handshake was in flight
        inboundClosed(peer, lane, channel);
        channel.close();
        return;
      }
      for (PeerConnection c : outbound) {
        c.peerReachable();
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
      dropped.add(DroppedMessages.Reason.WRONG_SENDER);
    }

    @Override
    public boolean firstRefusal(String key) {
      return warnedRefusals.size() < 1000 && warnedRefusals.add(key);
    }
  }

  /**
   * The listening channel's handler: sees every accepted connection before Netty sets it up, and
   * keeps it in {@code accepted} until it closes.
   */
  private final class AcceptedChannels extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel child = (Channel) msg;
      accepted.add(child);
      child.closeFuture().addListener(f -> accepted.remove(child));
      ctx.fireChannelRead(msg);
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
