package dev.floe.raft.transport.netty;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.RaftMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound connection to one peer: dialed on the first send, redialed with backoff after it
 * fails or closes, and never blocking its caller.
 *
 * <p>States: <em>idle</em> (no channel; the next send after the backoff deadline dials),
 * <em>connecting</em> (a channel is being connected, or its TLS handshake is running; sends are
 * queued, bounded by count and by the high water mark in bytes), <em>ready</em> (the handshake
 * frame is written; sends go straight to the channel while it is writable and are dropped while it
 * is not), and <em>closed</em>. Every drop is counted.
 *
 * <p>A peer that refuses the handshake (another cluster, or it does not know this node) says why in
 * a {@link Refusal}; that is logged at WARN once, not on every redial: again only if the reason
 * changes, or after the peer has accepted a connection for {@code stableAfterNanos}. While the peer
 * refuses, the redials' own log lines are at DEBUG.
 *
 * <p>Thread-safe. The ready channel is read without locking on the fast path; state changes take
 * this object's monitor, briefly and never around I/O.
 */
final class PeerConnection {
  private static final Logger log = LoggerFactory.getLogger(PeerConnection.class);
  private static final int MAX_PENDING_MESSAGES = 1024;

  /** How the connection dials; implemented by the transport. */
  interface Dialer {
    /**
     * Starts connecting to {@code address}, with the pipeline for messages to {@code peer};
     * {@code onRefusal} is called on the channel's event loop if the peer refuses the handshake.
     */
    ChannelFuture connect(NodeId peer, InetSocketAddress address, Consumer<Refusal> onRefusal);

    /** Returns the handshake to send first on a connection of {@code lane}. */
    Handshake handshake(Lane lane);
  }

  private final NodeId self;
  private final NodeId id;
  private final Lane lane;
  private final Dialer dialer;
  private final Backoff backoff;
  private final long stableAfterNanos;
  private final long pendingLimitBytes;
  private final LongAdder dropped;
  private final LongAdder closedConnections;

  private volatile Channel ready;

  // Guarded by this.
  private InetSocketAddress address;
  private Channel current;
  private boolean closed;
  private boolean redialAtOnce;
  private int failures;
  private long nextAttemptNanos = System.nanoTime();
  private long readySinceNanos;
  private ArrayDeque<RaftMessage> pending = new ArrayDeque<>();
  private long pendingBytes;
  /** Why the peer refused this node, as last logged at WARN; null while it accepts. */
  private String refusal;

  PeerConnection(NodeId self, NodeId id, Lane lane, InetSocketAddress address, Dialer dialer,
      Backoff backoff, long stableAfterNanos, long pendingLimitBytes, LongAdder dropped,
      LongAdder closedConnections) {
    this.self = self;
    this.id = id;
    this.lane = lane;
    this.address = address;
    this.dialer = dialer;
    this.backoff = backoff;
    this.stableAfterNanos = stableAfterNanos;
    this.pendingLimitBytes = pendingLimitBytes;
    this.dropped = dropped;
    this.closedConnections = closedConnections;
  }

  /** Returns the peer. */
  NodeId id() {
    return id;
  }

  /** Returns the peer's address. */
  synchronized InetSocketAddress address() {
    return address;
  }

  /** Returns whether the connection is ready (for tests). */
  boolean isReady() {
    return ready != null;
  }

  /**
   * Writes {@code m} to the peer, or queues it while connecting, or drops it. Never blocks.
   *
   * @param frameBytes the encoded size of {@code m}, for the queue's bound
   */
  void send(RaftMessage m, int frameBytes) {
    Channel ch = ready;
    if (ch == null) {
      synchronized (this) {
        ch = ready;
        if (ch == null && !queueOrDrop(m, frameBytes)) {
          return;
        }
        ch = ready;
      }
    }
    if (ch.isWritable()) {
      ch.writeAndFlush(m, ch.voidPromise());
    } else {
      drop(m, "its connection is over the write-buffer high water mark");
    }
  }

  /**
   * Queues or drops {@code m} while no channel is ready, dialing if it is time to. Returns true if
   * instead a channel became ready meanwhile (a dial can complete at once when the caller is on
   * the channel's event loop), so the caller must write {@code m} to it.
   */
  private boolean queueOrDrop(RaftMessage m, int frameBytes) {
    if (closed) {
      drop(m, "the transport is closed or the peer removed");
      return false;
    }
    if (current == null) {
      if (System.nanoTime() - nextAttemptNanos < 0) {
        drop(m, "it is unreachable (waiting to redial)");
        return false;
      }
      dial();
      if (ready != null) {
        return true;
      }
    }
    if (pending.size() >= MAX_PENDING_MESSAGES || pendingBytes + frameBytes > pendingLimitBytes) {
      drop(m, "the queue for its connection attempt is full");
      return false;
    }
    pending.add(m);
    pendingBytes += frameBytes;
    return false;
  }

  private void dial() {
    InetSocketAddress to = address;
    log.debug("{}: connecting to {} at {}", self, id, to);
    ChannelFuture f;
    try {
      f = dialer.connect(id, to, r -> onRefused(to, r));
    } catch (RuntimeException e) { // the event loop is shutting down
      log.debug("{}: cannot dial {}: {}", self, id, e.toString());
      return;
    }
    Channel ch = f.channel();
    current = ch;
    f.addListener(cf -> {
      if (!cf.isSuccess()) {
        log.debug("{}: cannot connect to {} at {}: {}", self, id, to, String.valueOf(cf.cause()));
        ch.close();
        onClosed(ch);
        return;
      }
      ch.closeFuture().addListener(c -> onClosed(ch));
      SslHandler tls = ch.pipeline().get(SslHandler.class);
      if (tls == null) {
        onReady(ch);
      } else {
        tls.handshakeFuture().addListener(hf -> {
          if (hf.isSuccess()) {
            onReady(ch);
          } else {
            log.warn("{}: TLS handshake with {} at {} failed: {}", self, id, to,
                String.valueOf(hf.cause()));
            ch.close();
          }
        });
      }
    });
  }

  /** Called on {@code ch}'s event loop once it is connected (and TLS is up). */
  private void onReady(Channel ch) {
    ArrayDeque<RaftMessage> queued;
    synchronized (this) {
      if (current != ch || closed) {
        ch.close();
        return;
      }
      queued = pending;
      pending = new ArrayDeque<>();
      pendingBytes = 0;
      ready = ch;
      readySinceNanos = System.nanoTime();
    }
    // We are on ch's event loop, so these writes go before any that other threads queue after
    // seeing `ready`: the handshake is first on the wire.
    ch.write(dialer.handshake(lane), ch.voidPromise());
    for (RaftMessage m : queued) {
      ch.write(m, ch.voidPromise());
    }
    ch.flush();
    if (refusedLately()) {
      log.debug("{}: connected to {} at {} (it refused the last connection)", self, id,
          ch.remoteAddress());
      if (!ch.eventLoop().isShuttingDown()) {
        ch.eventLoop().schedule(() -> acceptedForAWhile(ch), stableAfterNanos,
            TimeUnit.NANOSECONDS);
      }
    } else {
      log.info("{}: connected to {} at {}", self, id, ch.remoteAddress());
    }
  }

  private synchronized boolean refusedLately() {
    return refusal != null;
  }

  /** On the channel's event loop: the peer refused the handshake, so the channel closes next. */
  private void onRefused(InetSocketAddress to, Refusal r) {
    String why = r.explain(id, hostAndPort(to), self, dialer.handshake(lane).clusterId());
    boolean first;
    synchronized (this) {
      first = !why.equals(refusal);
      refusal = why;
    }
    if (first) {
      log.warn("{}: {}; redialing with backoff (logged again only if the reason changes)", self,
          why);
    } else {
      log.debug("{}: {}", self, why);
    }
  }

  /** The connection that followed a refusal is still up: the peer accepts this node now. */
  private void acceptedForAWhile(Channel ch) {
    boolean recovered;
    InetSocketAddress at;
    synchronized (this) {
      at = address;
      recovered = ready == ch && refusal != null;
      if (recovered) {
        refusal = null;
      }
    }
    if (recovered) {
      log.info("{}: {} at {} accepts this node's connections now", self, id, hostAndPort(at));
    }
  }

  private static String hostAndPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  private void onClosed(Channel ch) {
    int lost;
    boolean wasReady;
    boolean shutDown;
    boolean refused;
    long delayNanos;
    synchronized (this) {
      shutDown = closed;
      if (current != ch) {
        return;
      }
      current = null;
      closedConnections.increment();
      wasReady = ready == ch;
      ready = null;
      long now = System.nanoTime();
      if (redialAtOnce || (wasReady && now - readySinceNanos >= stableAfterNanos)) {
        failures = 0;
      } else {
        failures = Math.min(failures + 1, 1000);
      }
      redialAtOnce = false;
      delayNanos = backoff.delayNanos(failures, ThreadLocalRandom.current().nextDouble());
      nextAttemptNanos = now + delayNanos;
      lost = pending.size();
      pending.clear();
      pendingBytes = 0;
      refused = refusal != null;
    }
    if (lost > 0) {
      dropped.add(lost);
    }
    if (wasReady && !shutDown && !refused) {
      log.info("{}: connection to {} closed; will redial in {} ms", self, id,
          TimeUnit.NANOSECONDS.toMillis(delayNanos));
    } else if (log.isDebugEnabled()) {
      log.debug("{}: connecting to {} failed ({} in a row); next attempt in {} ms", self, id,
          failures, TimeUnit.NANOSECONDS.toMillis(delayNanos));
    }
  }

  /** Points the connection at a new address; the current connection, if any, is closed. */
  void updateAddress(InetSocketAddress newAddress) {
    Channel ch;
    synchronized (this) {
      if (newAddress.equals(address)) {
        return;
      }
      address = newAddress;
      ch = current;
      if (ch != null) {
        redialAtOnce = true;
      } else {
        failures = 0;
        nextAttemptNanos = System.nanoTime();
      }
    }
    if (ch != null) {
      ch.close();
    }
  }

  /** Closes the connection for good; later sends are dropped. */
  void close() {
    Channel ch;
    int lost;
    synchronized (this) {
      closed = true;
      ch = current;
      lost = pending.size();
      pending.clear();
      pendingBytes = 0;
    }
    dropped.add(lost);
    if (ch != null) {
      ch.close();
    }
  }

  private void drop(RaftMessage m, String reason) {
    dropped.increment();
    if (log.isDebugEnabled()) {
      log.debug("{}: dropped {} to {}: {}", self, m, id, reason);
    }
  }
}
