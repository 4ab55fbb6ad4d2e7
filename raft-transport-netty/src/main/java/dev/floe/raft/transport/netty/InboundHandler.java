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
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an accepted connection. The first frame must be a valid {@link Handshake}
 * from a known peer of the same cluster, offering a protocol version this node speaks, and (with
 * mutual TLS) from a dialer whose certificate names the node it claims; otherwise, or on any
 * malformed frame, the connection is refused (and logged) and nothing from it reaches the node. A
 * handshake of version 5 or later is answered with an {@link Accept} naming the highest version
 * both sides speak. After the handshake, every frame is decoded and passed to the node, unless its
 * sender is not the handshake's node or its receiver is not the local node, in which case it is
 * dropped. Each frame is released exactly once, here.
 *
 * <p>A well-formed handshake that names another cluster or a node that is not a peer, that offers
 * no version in common, or whose certificate does not name its node, is answered
 * with a {@link Refusal} before the connection is closed, so that the dialer can log why; the
 * refusal is logged here at WARN with the dialer's address and claimed node id (the same refusal of
 * the same dialer again at DEBUG, since the dialer keeps redialing). Once it is sent, the frame
 * decoder is removed: later bytes are released as they come, never buffered, and the connection is
 * closed when the dialer closes it or after {@link WireFormat#REFUSAL_LINGER_MILLIS}. Malformed
 * input is closed on at once, without a word.
 */
final class InboundHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(InboundHandler.class);

  private final InboundHost host;
  private final FrameDecoder frameDecoder;
  private final long handshakeTimeoutMillis;
  private NodeId peer;
  private Lane lane;
  private MessageCodec codec;
  private boolean refused;
  private ScheduledFuture<?> handshakeTimeout;
  private ScheduledFuture<?> lingerTimeout;

  InboundHandler(InboundHost host, FrameDecoder frameDecoder, long handshakeTimeoutMillis) {
    this.host = host;
    this.frameDecoder = frameDecoder;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    handshakeTimeout = ctx.executor().schedule(() -> {
      if (peer == null) {
        refuse(ctx, "no handshake within " + handshakeTimeoutMillis + " ms");
      }
    }, handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (refused) {
        return; // buffered when the connection was refused, or raw bytes after a refusal frame
      }
      ByteBuf frame = (ByteBuf) msg;
      if (peer == null) {
        onHandshake(ctx, frame);
      } else {
        onMessage(codec.decode(frame));
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHandshake(ChannelHandlerContext ctx, ByteBuf frame) {
    if (MessageCodec.peekType(frame) != WireFormat.HANDSHAKE) {
      refuse(ctx, "message before handshake");
      return;
    }
    ProtocolVersions speaks = host.dialect().speaks();
    Handshake h;
    try {
      h = host.dialect().decode(frame);
    } catch (UnsupportedVersionException e) {
      ProtocolVersions offered = ProtocolVersions.exactly(e.version);
      refuseWithReason(ctx, "an unknown node (in a version-" + e.version + " handshake)", "?",
          Refusal.ofVersions(host.clusterId(), host.self(), speaks, offered),
          versionMismatch(speaks, offered));
      return;
    }
    int version = speaks.highestCommon(h.versions());
    if (version == 0) {
      refuseWithReason(ctx, h, Refusal.ofVersions(host.clusterId(), host.self(), speaks,
          h.versions()), versionMismatch(speaks, h.versions()));
      return;
    }
    if (!h.clusterId().equals(host.clusterId())) {
      refuseWithReason(ctx, h, refusal(WireFormat.REFUSED_OTHER_CLUSTER), "cluster id mismatch: "
          + "found '" + h.clusterId() + "' in the handshake, expected '" + host.clusterId()
          + "' (this node's)");
      return;
    }
    String identity = host.identityProblem(ctx.channel(), h.nodeId());
    if (identity != null) {
      refuseWithReason(ctx, h, refusal(WireFormat.REFUSED_IDENTITY), identity);
      return;
    }
    if (!host.isPeer(h.nodeId())) {
      refuseWithReason(ctx, h, refusal(WireFormat.REFUSED_UNKNOWN_NODE),
          "node id " + h.nodeId() + " is not one of this node's peers");
      return;
    }
    peer = h.nodeId();
    lane = h.lane();
    codec = new MessageCodec(peer, host.self());
    frameDecoder.handshakeAccepted();
    cancelHandshakeTimeout();
    if (!h.exact()) {
      ctx.writeAndFlush(new Accept(version, host.self()));
    }
    host.inboundAccepted(peer, lane, ctx.channel());
    log.debug("{}: accepted connection from {} at {} ({} lane, protocol version {})", host.self(),
        peer, ctx.channel().remoteAddress(), lane, version);
  }

  private Refusal refusal(int reason) {
    return new Refusal(reason, host.clusterId(), host.self());
  }

  private static String versionMismatch(ProtocolVersions speaks, ProtocolVersions offered) {
    return "no protocol version in common: the dialer offers " + Refusal.versionsWord(offered)
        + ", this node speaks " + Refusal.versionsWord(speaks);
  }

  private void onMessage(RaftMessage m) {
    if (!m.from().equals(peer) || !m.to().equals(host.self())) {
      host.receivedDropped();
      if (log.isDebugEnabled()) {
        log.debug("{}: dropped {} on the connection from {}", host.self(), m, peer);
      }
      return;
    }
    host.deliver(m);
  }

  private void refuseWithReason(ChannelHandlerContext ctx, Handshake h, Refusal refusal,
      String why) {
    refuseWithReason(ctx, "node " + h.nodeId(), h.clusterId(), refusal, why);
  }

  /**
   * Refuses a well-formed handshake: says why to the dialer, then closes once it has heard.
   *
   * @param claim what the handshake claims, for the log: {@code "node n2"}
   */
  private void refuseWithReason(ChannelHandlerContext ctx, String claim, String claimedCluster,
      Refusal refusal, String why) {
    refused = true;
    cancelHandshakeTimeout();
    String remote = String.valueOf(ctx.channel().remoteAddress());
    String key = hostOf(remote) + ' ' + claim + ' ' + claimedCluster + ' ' + refusal.reason();
    if (host.firstRefusal(key)) {
      log.warn("{}: refusing connection from {} claiming {}: {}", host.self(), remote, claim, why);
    } else {
      log.debug("{}: refusing connection from {} claiming {} again: {}", host.self(), remote,
          claim, why);
    }
    // From now on nothing is decoded or buffered: the decoder hands over what it holds and goes.
    ctx.pipeline().remove(frameDecoder);
    ctx.writeAndFlush(refusal);
    lingerTimeout = ctx.executor().schedule(() -> {
      ctx.close();
    }, WireFormat.REFUSAL_LINGER_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Refuses malformed input: closes at once. */
  private void refuse(ChannelHandlerContext ctx, String reason) {
    if (!refused) {
      refused = true;
      log.warn("{}: refusing connection from {}: {}", host.self(), ctx.channel().remoteAddress(),
          reason);
      ctx.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (refused) {
      ctx.close(); // such as a reset by a dialer that was refused
      return;
    }
    String who = peer == null ? "" : " (node " + peer + ")";
    refuse(ctx, "bad input" + who + ": " + cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelHandshakeTimeout();
    if (lingerTimeout != null) {
      lingerTimeout.cancel(false);
    }
    if (peer != null) {
      host.inboundClosed(peer, lane, ctx.channel());
      log.debug("{}: connection from {} closed", host.self(), peer);
    }
    ctx.fireChannelInactive();
  }

  private void cancelHandshakeTimeout() {
    if (handshakeTimeout != null) {
      handshakeTimeout.cancel(false);
    }
  }

  /** {@code /127.0.0.1:43210} without its port: a redial comes from another port. */
  private static String hostOf(String remoteAddress) {
    int colon = remoteAddress.lastIndexOf(':');
    return colon < 0 ? remoteAddress : remoteAddress.substring(0, colon);
  }
}
