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
import dev.floe.raft.message.RaftMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound connection to one peer: dialed on the first send, redialed with backoff after it
 * fails or closes, and never blocking its caller.
 *
 * <p>States: <em>idle</em> (no channel; the next send after the backoff deadline dials),
 * <em>connecting</em> (a channel is being connected, its TLS handshake is running, or its
 * handshake frame awaits the acceptor's answer; sends are queued, bounded by count and by the high
 * water mark in bytes), <em>ready</em> (the handshake is accepted, or of version 4 and written;
 * sends go straight to the channel while it is writable and are dropped while it is not), and
 * <em>closed</em>. Every drop is counted.
 *
 * <p>Protocol versions: the connection offers every version this node speaks, and speaks the one
 * the acceptor's answer names. A peer that closes the connection on such a handshake without
 * answering it (a node that speaks only version 4 does so) is dialed next with a version-4
 * handshake, which is never answered; the connection after that offers the range again, so a peer
 * upgraded in the meantime is spoken to in the newer version (see {@link WireFormat}).
 *
 * <p>With mutual TLS, the acceptor's certificate must name the peer this connection is for (see
 * {@link NodeIdentity}); otherwise the connection is closed before anything is sent on it, and
 * that is logged like a refusal.
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
     * {@code listener} hears the acceptor's answer, on the channel's event loop.
     */
    ChannelFuture connect(NodeId peer, InetSocketAddress address,
        OutboundHandler.Listener listener);

    /** Returns the versions this node speaks. */
    ProtocolVersions speaks();

    /**
     * Returns the handshake to send first on a connection of {@code lane}: offering every version
     * this node speaks, or (if {@code exact}) of the version-4 kind.
     */
    Handshake handshake(Lane lane, boolean exact);

    /**
     * Returns why the TLS certificate {@code channel}'s acceptor presented does not name {@code
     * peer}, or null if it does or node identity is not checked.
     */
    String certificateProblem(NodeId peer, InetSocketAddress address, Channel channel);

    /** Returns how long to wait for the acceptor's answer to a handshake, in nanoseconds. */
    long answerTimeoutNanos();
  }

  private final NodeId self;
  private final NodeId id;
  private final Lane lane;
  private final Dialer dialer;
  private final Backoff backoff;
  private final long stableAfterNanos;
  private final long pendingLimitBytes;
  private final DroppedMessages dropped;
  private final LongAdder closedConnections;

  private volatile Channel ready;
  /** The protocol version the ready connection speaks; 0 while none is ready. */
  private volatile int version;

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
  /** The channel whose handshake offering a range awaits the acceptor's answer, if any. */
  private Channel awaitingAnswer;
  /** Whether the next dial sends a version-4 handshake (the peer left the range unanswered). */
  private boolean exactNext;

  PeerConnection(NodeId self, NodeId id, Lane lane, InetSocketAddress address, Dialer dialer,
      Backoff backoff, long stableAfterNanos, long pendingLimitBytes, DroppedMessages dropped,
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
   * Returns the bytes queued for the peer on this connection: the frames waiting for the
   * connection to come up, and those written to the ready channel that are not yet on the socket
   * (as Netty counts them). Any thread.
   */
  long queuedBytes() {
    long bytes;
    synchronized (this) {
      bytes = pendingBytes;
    }
    Channel ch = ready;
    ChannelOutboundBuffer buffer = ch == null ? null : ch.unsafe().outboundBuffer();
    return buffer == null ? bytes : bytes + buffer.totalPendingWriteBytes();
  }

  /** Returns the protocol version the ready connection speaks, or 0 if none is ready. */
  int version() {
    return ready != null ? version : 0;
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
      drop(m, DroppedMessages.Reason.WRITE_BUFFER_FULL,
          "its connection is over the write-buffer high water mark");
    }
  }

  /**
   * Queues or drops {@code m} while no channel is ready, dialing if it is time to. Returns true if
   * instead a channel became ready meanwhile (a dial can complete at once when the caller is on
   * the channel's event loop), so the caller must write {@code m} to it.
   */
  private boolean queueOrDrop(RaftMessage m, int frameBytes) {
    if (closed) {
      drop(m, DroppedMessages.Reason.CLOSED, "the transport is closed or the peer removed");
      return false;
    }
    if (current == null) {
      if (System.nanoTime() - nextAttemptNanos < 0) {
        drop(m, DroppedMessages.Reason.UNREACHABLE, "it is unreachable (waiting to redial)");
        return false;
      }
      dial();
      if (ready != null) {
        return true;
      }
    }
    if (pending.size() >= MAX_PENDING_MESSAGES || pendingBytes + frameBytes > pendingLimitBytes) {
      drop(m, DroppedMessages.Reason.WRITE_BUFFER_FULL,
          "the queue for its connection attempt is full");
      return false;
    }
    pending.add(m);
    pendingBytes += frameBytes;
    return false;
  }

  /** Dials; holding this object's monitor. */
  private void dial() {
    InetSocketAddress to = address;
    boolean exactWanted = exactNext; // one dial only: the one after that offers the range again
    exactNext = false;
    log.debug("{}: connecting to {} at {}", self, id, to);
    ChannelFuture f;
    try {
      f = dialer.connect(id, to, new OutboundHandler.Listener() {
        @Override
        public void accepted(Channel channel, Accept accept) {
          onAccepted(channel, to, accept);
        }

        @Override
        public void refused(Channel channel, Refusal r) {
          onRefused(channel, to, r);
        }

        @Override
        public void failed(Channel channel, Throwable cause) {
          onFailed(channel, to, cause);
        }
      });
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
        onConnected(ch, to, exactWanted);
      } else {
        tls.handshakeFuture().addListener(hf -> {
          if (hf.isSuccess()) {
            onConnected(ch, to, exactWanted);
          } else {
            noteRefusal("TLS handshake with " + id + " at " + to + " failed: " + hf.cause());
            ch.close();
          }
        });
      }
    });
  }

  /**
   * Called on {@code ch}'s event loop once it is connected (and TLS is up): checks who answered,
   * then writes the handshake, and either waits for the acceptor's answer or is ready at once.
   */
  private void onConnected(Channel ch, InetSocketAddress to, boolean exactWanted) {
    String problem = dialer.certificateProblem(id, to, ch);
    if (problem != null) {
      noteRefusal(problem + "; closing the connection");
      ch.close();
      return;
    }
    boolean exact;
    synchronized (this) {
      if (current != ch || closed) {
        ch.close();
        return;
      }
      ProtocolVersions speaks = dialer.speaks();
      exact = speaks.max() <= WireFormat.EXACT_HANDSHAKE_VERSION
          || (exactWanted && speaks.min() <= WireFormat.EXACT_HANDSHAKE_VERSION);
      if (!exact) {
        awaitingAnswer = ch;
      }
    }
    Handshake h = dialer.handshake(lane, exact);
    if (exact) {
      onReady(ch, h, h.versions().max());
      return;
    }
    ch.writeAndFlush(h, ch.voidPromise());
    if (!ch.eventLoop().isShuttingDown()) {
      ch.eventLoop().schedule(() -> answerTimedOut(ch), dialer.answerTimeoutNanos(),
          TimeUnit.NANOSECONDS);
    }
  }

  private void answerTimedOut(Channel ch) {
    synchronized (this) {
      if (awaitingAnswer != ch) {
        return;
      }
    }
    log.debug("{}: {} did not answer the handshake within {} ms; closing", self, id,
        TimeUnit.NANOSECONDS.toMillis(dialer.answerTimeoutNanos()));
    ch.close();
  }

  /** On {@code ch}'s event loop: the acceptor accepted the handshake that offered a range. */
  private void onAccepted(Channel ch, InetSocketAddress to, Accept accept) {
    Handshake offered = dialer.handshake(lane, false);
    synchronized (this) {
      if (awaitingAnswer != ch) {
        ch.close(); // an answer to a handshake that asked for none, or to an abandoned channel
        return;
      }
      awaitingAnswer = null;
    }
    if (!offered.versions().contains(accept.version())) {
      log.warn("{}: {} at {} accepted the handshake in protocol version {}, which this node did "
          + "not offer ({}); closing", self, id, hostAndPort(to), accept.version(),
          offered.versions());
      ch.close();
      return;
    }
    if (!accept.nodeId().equals(id)) {
      noteRefusal("the node listening at " + hostAndPort(to) + " is " + accept.nodeId()
          + ", not " + id + "; closing the connection");
      ch.close();
      return;
    }
    onReady(ch, null, accept.version());
  }

  /**
   * Called on {@code ch}'s event loop once the peer can take messages.
   *
   * @param handshake the handshake to write first, or null if it is written already
   * @param spoken the protocol version the connection speaks
   */
  private void onReady(Channel ch, Handshake handshake, int spoken) {
    ArrayDeque<RaftMessage> queued;
    synchronized (this) {
      if (current != ch || closed) {
        ch.close();
        return;
      }
      queued = pending;
      pending = new ArrayDeque<>();
      pendingBytes = 0;
      version = spoken;
      ready = ch;
      readySinceNanos = System.nanoTime();
    }
    // We are on ch's event loop, so these writes go before any that other threads queue after
    // seeing `ready`: the handshake is first on the wire.
    if (handshake != null) {
      ch.write(handshake, ch.voidPromise());
    }
    for (RaftMessage m : queued) {
      ch.write(m, ch.voidPromise());
    }
    ch.flush();
    String speaking = spoken == dialer.speaks().max() ? ""
        : " (protocol version " + spoken + ": it speaks no later one)";
    if (refusedLately()) {
      log.debug("{}: connected to {} at {}{} (it refused the last connection)", self, id,
          ch.remoteAddress(), speaking);
      if (!ch.eventLoop().isShuttingDown()) {
        ch.eventLoop().schedule(() -> acceptedForAWhile(ch), stableAfterNanos,
            TimeUnit.NANOSECONDS);
      }
    } else {
      log.info("{}: connected to {} at {}{}", self, id, ch.remoteAddress(), speaking);
    }
  }

  private synchronized boolean refusedLately() {
    return refusal != null;
  }

  /** On the channel's event loop: the peer refused the handshake, so the channel closes next. */
  private void onRefused(Channel ch, InetSocketAddress to, Refusal r) {
    synchronized (this) {
      if (awaitingAnswer == ch) {
        awaitingAnswer = null; // answered: the peer reads this handshake, no fallback
      }
    }
    noteRefusal(r.explain(id, hostAndPort(to), self, dialer.handshake(lane, false).clusterId())
        + "; redialing with backoff");
  }

  /**
   * On the channel's event loop: the connection failed. A TLS alert from the acceptor (with TLS
   * 1.3 it rejects the dialer's certificate after the dialer's side of the TLS handshake is done)
   * is the acceptor's answer: it reads this node's handshake no worse for it, so there is no
   * fallback to an older version, and it is logged like a refusal.
   */
  private void onFailed(Channel ch, InetSocketAddress to, Throwable cause) {
    SSLException tls = sslCause(cause);
    if (tls == null) {
      return;
    }
    synchronized (this) {
      if (awaitingAnswer == ch) {
        awaitingAnswer = null;
      }
    }
    noteRefusal("TLS handshake with " + id + " at " + to + " failed: " + tls);
  }

  private static SSLException sslCause(Throwable t) {
    for (int depth = 0; t != null && depth < 10; t = t.getCause(), depth++) {
      if (t instanceof SSLException e) {
        return e;
      }
    }
    return null;
  }

  /** Logs why the peer cannot be used at WARN once, and again only if the reason changes. */
  private void noteRefusal(String why) {
    boolean first;
    synchronized (this) {
      first = !why.equals(refusal);
      refusal = why;
    }
    if (first) {
      log.warn("{}: {} (logged again only if the reason changes)", self, why);
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
      version = 0;
      if (awaitingAnswer == ch) {
        awaitingAnswer = null;
        if (!shutDown && dialer.speaks().min() <= WireFormat.EXACT_HANDSHAKE_VERSION) {
          fallBack();
          return;
        }
      }
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
    dropped.add(DroppedMessages.Reason.UNREACHABLE, lost);
    if (wasReady && !shutDown && !refused) {
      log.info("{}: connection to {} closed; will redial in {} ms", self, id,
          TimeUnit.NANOSECONDS.toMillis(delayNanos));
    } else if (log.isDebugEnabled()) {
      log.debug("{}: connecting to {} failed ({} in a row); next attempt in {} ms", self, id,
          failures, TimeUnit.NANOSECONDS.toMillis(delayNanos));
    }
  }

  /**
   * The connection closed on a handshake offering a range, unanswered: what a node that speaks
   * only version 4 does. Dials again at once offering version 4 alone, keeping the messages
   * queued meanwhile, so that reaching an older node loses nothing. Holding this object's monitor.
   */
  private void fallBack() {
    exactNext = true;
    failures = 0;
    nextAttemptNanos = System.nanoTime();
    log.debug("{}: {} closed the connection without answering a version-{} handshake; dialing "
        + "again offering version {} alone", self, id, dialer.speaks().max(),
        WireFormat.EXACT_HANDSHAKE_VERSION);
    dial();
  }

  /**
   * The peer just dialed this node (it restarted, say): if this connection waits out a backoff, the
   * next send dials at once instead, so that messages to a peer that is back are not lost for up
   * to the longest backoff (a leadership transfer's TimeoutNow, for one).
   */
  void peerReachable() {
    synchronized (this) {
      if (current == null && !closed) {
        failures = 0;
        nextAttemptNanos = System.nanoTime();
      }
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
    dropped.add(DroppedMessages.Reason.CLOSED, lost);
    if (ch != null) {
      ch.close();
    }
  }

  private void drop(RaftMessage m, DroppedMessages.Reason counted, String reason) {
    dropped.add(counted);
    if (log.isDebugEnabled()) {
      log.debug("{}: dropped {} to {}: {}", self, m, id, reason);
    }
  }
}
