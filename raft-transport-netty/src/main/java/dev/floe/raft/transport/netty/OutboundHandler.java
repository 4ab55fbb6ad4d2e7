package dev.floe.raft.transport.netty;

import dev.floe.raft.NodeId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a dialed connection. The acceptor never sends, so any inbound byte is a
 * protocol violation and closes the connection; a failed write closes it too, and the peer's
 * {@link PeerConnection} reconnects.
 */
final class OutboundHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(OutboundHandler.class);

  private final NodeId self;
  private final NodeId peer;

  OutboundHandler(NodeId self, NodeId peer) {
    this.self = self;
    this.peer = peer;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
    log.warn("{}: peer {} sent data on an outbound connection; closing it", self, peer);
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: closing connection to {}: {}", self, peer, cause.toString());
    ctx.close();
  }
}
