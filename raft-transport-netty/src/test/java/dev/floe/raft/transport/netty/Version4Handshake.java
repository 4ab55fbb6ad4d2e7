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
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.charset.StandardCharsets;

/**
 * The fixture of the previous release: how a node of protocol version 4 wrote and read handshakes,
 * copied from that release's {@code MessageCodec} and kept unchanged, so that a test can run a
 * cluster in which one node has not been upgraded. Such a node offers exactly version 4, never
 * answers a handshake, and closes without a word on any handshake but one of exactly version 4
 * (to it, a version-5 handshake is malformed). Messages are laid out alike in versions 4 and 5,
 * so the handshake is all that differs.
 */
final class Version4Handshake implements HandshakeDialect {
  static final Version4Handshake INSTANCE = new Version4Handshake();
  private static final int VERSION = 4;
  private static final int HANDSHAKE = 0;
  private static final int MAGIC = 0x464C4F45;

  private Version4Handshake() {}

  @Override
  public ProtocolVersions speaks() {
    return ProtocolVersions.exactly(VERSION);
  }

  @Override
  public int encodedSize(Handshake h) {
    return 1 + Integer.BYTES + Short.BYTES + Short.BYTES
        + h.clusterId().getBytes(StandardCharsets.UTF_8).length + 1 + h.nodeId().value().length()
        + 1;
  }

  /** As version 4 wrote it: its one version, whatever the handshake offers. */
  @Override
  public void encode(Handshake h, ByteBuf out) {
    out.writeByte(HANDSHAKE);
    out.writeInt(MAGIC);
    out.writeShort(VERSION);
    byte[] cluster = h.clusterId().getBytes(StandardCharsets.UTF_8);
    out.writeShort(cluster.length);
    out.writeBytes(cluster);
    String id = h.nodeId().value();
    out.writeByte(id.length());
    out.writeCharSequence(id, StandardCharsets.US_ASCII);
    out.writeByte(h.lane().code);
  }

  /** As version 4 read it: exactly version 4, or the connection is closed without a word. */
  @Override
  public Handshake decode(ByteBuf in) {
    int type = readUnsignedByte(in);
    if (type != HANDSHAKE) {
      throw new CorruptedFrameException("expected a handshake, got message type " + type);
    }
    need(in, Integer.BYTES + Short.BYTES);
    int magic = in.readInt();
    if (magic != MAGIC) {
      throw new CorruptedFrameException("bad handshake magic 0x" + Integer.toHexString(magic));
    }
    int version = in.readUnsignedShort();
    if (version != VERSION) {
      throw new CorruptedFrameException("unsupported protocol version " + version
          + " (this node speaks " + VERSION + ")");
    }
    need(in, Short.BYTES);
    int length = in.readUnsignedShort();
    if (length < 1 || length > 255) {
      throw new CorruptedFrameException("bad cluster id length " + length);
    }
    need(in, length);
    String clusterId = in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    int idLength = readUnsignedByte(in);
    if (idLength == 0 || idLength > 64) {
      throw new CorruptedFrameException("bad node id length " + idLength);
    }
    need(in, idLength);
    NodeId nodeId = NodeId.of(in.readCharSequence(idLength, StandardCharsets.UTF_8).toString());
    Lane lane;
    try {
      lane = Lane.fromCode(readUnsignedByte(in));
    } catch (IllegalArgumentException e) {
      throw new CorruptedFrameException(e.getMessage());
    }
    if (in.isReadable()) {
      throw new CorruptedFrameException(in.readableBytes() + " unexpected bytes after message");
    }
    return new Handshake(ProtocolVersions.exactly(VERSION), clusterId, nodeId, lane);
  }

  private static int readUnsignedByte(ByteBuf in) {
    need(in, 1);
    return in.readUnsignedByte();
  }

  private static void need(ByteBuf in, int bytes) {
    if (in.readableBytes() < bytes) {
      throw new CorruptedFrameException(
          "truncated frame: need " + bytes + " bytes, " + in.readableBytes() + " left");
    }
  }
}
