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
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a dialed connection. The acceptor sends at most one frame: an {@link Accept}
 * answering a handshake of version 5 or later, or a {@link Refusal}. Either is handed to the peer's
 * {@link PeerConnection}; after a refusal the connection is closed. Any other inbound frame, or a
 * second answer, is a protocol violation and closes the connection; so does a failed write. The
 * peer's {@link PeerConnection} then reconnects.
 */
final class OutboundHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(OutboundHandler.class);

  /** What the connection's owner hears from the acceptor; called on the channel's event loop. */
  interface Listener {
    /** The acceptor accepted the handshake. */
    void accepted(Channel channel, Accept accept);

    /** The acceptor refused the handshake; the channel closes next. */
    void refused(Channel channel, Refusal refusal);

    /** The connection failed ({@code cause} may be the acceptor's TLS alert); it closes next. */
    void failed(Channel channel, Throwable cause);
  }

  private final NodeId self;
  private final NodeId peer;
  private final Listener listener;
  private boolean answered;
  private boolean closing;

  OutboundHandler(NodeId self, NodeId peer, Listener listener) {
    this.self = self;
    this.peer = peer;
    this.listener = listener;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (closing) {
        return;
      }
      ByteBuf frame = (ByteBuf) msg;
      int type = MessageCodec.peekType(frame);
      if (type == WireFormat.REFUSAL) {
        closing = true;
        listener.refused(ctx.channel(), new MessageCodec().decodeRefusal(frame));
        ctx.close();
      } else if (type == WireFormat.ACCEPT && !answered) {
        answered = true;
        listener.accepted(ctx.channel(), new MessageCodec().decodeAccept(frame));
      } else {
        closing = true;
        log.warn("{}: peer {} sent data on an outbound connection; closing it", self, peer);
        ctx.close();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: closing connection to {}: {}", self, peer, cause.toString());
    closing = true;
    listener.failed(ctx.channel(), cause);
    ctx.close();
  }
}
