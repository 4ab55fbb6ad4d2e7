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

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteOrder;

/**
 * Splits the inbound byte stream into frame bodies (the 4-byte length prefix stripped). A negative
 * length or one over the maximum fails at once, before the frame's bytes arrive, and the inbound
 * handler then closes the connection. Until the handshake is accepted the maximum is the small
 * {@link WireFormat#MAX_HANDSHAKE_FRAME_BYTES}, so that an unauthenticated client cannot make the
 * node buffer a large frame.
 */
final class FrameDecoder extends LengthFieldBasedFrameDecoder {
  private boolean handshakeAccepted;

  FrameDecoder(int maxFrameBytes) {
    super(maxFrameBytes, 0, WireFormat.LENGTH_BYTES, 0, WireFormat.LENGTH_BYTES, true);
  }

  /** Lifts the pre-handshake limit. Called on the channel's event loop. */
  void handshakeAccepted() {
    handshakeAccepted = true;
  }

  @Override
  protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
    long frameLength = super.getUnadjustedFrameLength(buf, offset, length, order);
    if (!handshakeAccepted && frameLength > WireFormat.MAX_HANDSHAKE_FRAME_BYTES) {
      throw new TooLongFrameException("first frame of " + frameLength
          + " bytes is too long for a handshake (max " + WireFormat.MAX_HANDSHAKE_FRAME_BYTES + ")");
    }
    return frameLength;
  }
}
