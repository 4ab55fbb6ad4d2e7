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

/**
 * Which protocol versions a node speaks, and how it writes the handshakes of the connections it
 * dials and reads those of its dialers. The transport speaks {@link #CURRENT}; tests give a
 * transport the dialect of an older release (kept as a fixture) to run a cluster in which one
 * node has not been upgraded yet.
 */
interface HandshakeDialect {

  /** Returns the versions the node speaks. */
  ProtocolVersions speaks();

  /** Writes the body of a handshake frame. */
  void encode(Handshake h, ByteBuf out);

  /** Returns the exact number of bytes {@link #encode} writes for {@code h}. */
  int encodedSize(Handshake h);

  /**
   * Decodes a handshake frame body.
   *
   * @throws io.netty.handler.codec.CorruptedFrameException if the node cannot read it; an {@link
   *     UnsupportedVersionException} if it is well-formed but of a version whose layout the node
   *     does not read, which the acceptor answers with a refusal naming both sides' versions
   */
  Handshake decode(ByteBuf in);

  /** This code's: speaks versions 4 and 5, reads both handshake layouts. */
  HandshakeDialect CURRENT = new HandshakeDialect() {
    @Override
    public ProtocolVersions speaks() {
      return ProtocolVersions.CURRENT;
    }

    @Override
    public void encode(Handshake h, ByteBuf out) {
      MessageCodec.encodeHandshake(h, out);
    }

    @Override
    public int encodedSize(Handshake h) {
      return MessageCodec.encodedSize(h);
    }

    @Override
    public Handshake decode(ByteBuf in) {
      return new MessageCodec().decodeHandshake(in);
    }
  };
}
