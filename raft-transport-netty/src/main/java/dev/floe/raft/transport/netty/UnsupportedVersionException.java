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
