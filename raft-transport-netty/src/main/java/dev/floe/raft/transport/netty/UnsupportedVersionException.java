package dev.floe.raft.transport.netty;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * A handshake of a protocol version so old that this code does not read its layout (before
 * version 4). The acceptor answers it with a refusal naming the versions it speaks.
 */
final class UnsupportedVersionException extends CorruptedFrameException {
  private static final long serialVersionUID = 1L;

  final int version;

  UnsupportedVersionException(int version) {
    super("unsupported protocol version " + version + " (this node speaks "
        + ProtocolVersions.CURRENT + ")");
    this.version = version;
  }
}
