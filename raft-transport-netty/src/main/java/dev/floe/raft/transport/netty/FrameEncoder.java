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

import dev.floe.raft.message.RaftMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Encodes a {@link Handshake} (in the node's {@link HandshakeDialect}), a {@link RaftMessage}, an
 * {@link Accept} or a {@link Refusal} into one length-prefixed frame, in a buffer of exactly the
 * frame's size from the channel's allocator. {@link MessageToByteEncoder} passes the buffer on
 * (the transport releases it once written) or releases it if encoding fails.
 */
final class FrameEncoder extends MessageToByteEncoder<Object> {
  private final HandshakeDialect dialect;

  FrameEncoder(HandshakeDialect dialect) {
    this.dialect = dialect;
  }

  @Override
  public boolean acceptOutboundMessage(Object msg) {
    return msg instanceof RaftMessage || msg instanceof Handshake || msg instanceof Refusal
        || msg instanceof Accept;
  }

  @Override
  protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Object msg, boolean preferDirect) {
    return ctx.alloc().ioBuffer(WireFormat.LENGTH_BYTES + bodySize(msg));
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
    int size = bodySize(msg);
    int start = out.writerIndex();
    out.writeInt(size);
    if (msg instanceof RaftMessage m) {
      MessageCodec.encode(m, out);
    } else if (msg instanceof Handshake h) {
      dialect.encode(h, out);
    } else if (msg instanceof Accept a) {
      MessageCodec.encodeAccept(a, out);
    } else {
      MessageCodec.encodeRefusal((Refusal) msg, out);
    }
    int written = out.writerIndex() - start - WireFormat.LENGTH_BYTES;
    if (written != size) {
      throw new EncoderException("encoded " + written + " bytes, expected " + size + ": " + msg);
    }
  }

  private int bodySize(Object msg) {
    if (msg instanceof RaftMessage m) {
      return MessageCodec.encodedSize(m);
    } else if (msg instanceof Handshake h) {
      return dialect.encodedSize(h);
    } else if (msg instanceof Accept a) {
      return MessageCodec.encodedSize(a);
    }
    return MessageCodec.encodedSize((Refusal) msg);
  }
}
