package dev.floe.raft.transport.netty;

import dev.floe.raft.NodeId;
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
 * from a known peer of the same cluster; otherwise, or on any malformed frame, the connection is
 * closed (and logged) and nothing reaches the node. After the handshake, every frame is decoded
 * and passed to the node, unless its sender is not the handshake's node or its receiver is not
 * the local node, in which case it is dropped. Each frame is released exactly once, here.
 */
final class InboundHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(InboundHandler.class);

  private final InboundHost host;
  private final FrameDecoder frameDecoder;
  private final long handshakeTimeoutMillis;
  private NodeId peer;
  private MessageCodec codec;
  private boolean refused;
  private ScheduledFuture<?> handshakeTimeout;

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
        return; // frames that were already buffered when the connection was refused
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
    Handshake h = new MessageCodec().decodeHandshake(frame);
    if (!h.clusterId().equals(host.clusterId())) {
      refuse(ctx, "node " + h.nodeId() + " belongs to cluster '" + h.clusterId()
          + "', not '" + host.clusterId() + "'");
      return;
    }
    if (!host.isPeer(h.nodeId())) {
      refuse(ctx, "unknown node id " + h.nodeId());
      return;
    }
    peer = h.nodeId();
    codec = new MessageCodec(peer, host.self());
    frameDecoder.handshakeAccepted();
    if (handshakeTimeout != null) {
      handshakeTimeout.cancel(false);
    }
    host.inboundAccepted(peer, ctx.channel());
    log.debug("{}: accepted connection from {} at {}", host.self(), peer,
        ctx.channel().remoteAddress());
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
    String who = peer == null ? "" : " (node " + peer + ")";
    refuse(ctx, "bad input" + who + ": " + cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (handshakeTimeout != null) {
      handshakeTimeout.cancel(false);
    }
    if (peer != null) {
      host.inboundClosed(peer, ctx.channel());
      log.debug("{}: connection from {} closed", host.self(), peer);
    }
    ctx.fireChannelInactive();
  }
}
