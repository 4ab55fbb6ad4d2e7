package dev.floe.raft.transport.netty;

import dev.floe.raft.cluster.NodeId;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a dialed connection. The acceptor sends nothing but, when it refuses the
 * handshake, one {@link Refusal} frame: that is handed to the peer's {@link PeerConnection}, which
 * logs it, and the connection is closed. Any other inbound frame is a protocol violation and closes
 * the connection; so does a failed write. The peer's {@link PeerConnection} then reconnects.
 */
final class OutboundHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(OutboundHandler.class);

  private final NodeId self;
  private final NodeId peer;
  private final Consumer<Refusal> onRefusal;
  private boolean closing;

  OutboundHandler(NodeId self, NodeId peer, Consumer<Refusal> onRefusal) {
    this.self = self;
    this.peer = peer;
    this.onRefusal = onRefusal;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (closing) {
        return;
      }
      closing = true;
      ByteBuf frame = (ByteBuf) msg;
      if (MessageCodec.peekType(frame) == WireFormat.REFUSAL) {
        onRefusal.accept(new MessageCodec().decodeRefusal(frame));
      } else {
        log.warn("{}: peer {} sent data on an outbound connection; closing it", self, peer);
      }
      ctx.close();
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: closing connection to {}: {}", self, peer, cause.toString());
    closing = true;
    ctx.close();
  }
}
