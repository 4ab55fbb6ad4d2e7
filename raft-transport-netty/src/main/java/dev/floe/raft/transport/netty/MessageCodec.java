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

import static dev.floe.raft.transport.netty.WireFormat.ACCEPT;
import static dev.floe.raft.transport.netty.WireFormat.APPEND_REQUEST;
import static dev.floe.raft.transport.netty.WireFormat.APPEND_RESPONSE;
import static dev.floe.raft.transport.netty.WireFormat.FORWARD_REQUEST;
import static dev.floe.raft.transport.netty.WireFormat.FORWARD_RESPONSE;
import static dev.floe.raft.transport.netty.WireFormat.HANDSHAKE;
import static dev.floe.raft.transport.netty.WireFormat.INSTALL_SNAPSHOT_REQUEST;
import static dev.floe.raft.transport.netty.WireFormat.INSTALL_SNAPSHOT_RESPONSE;
import static dev.floe.raft.transport.netty.WireFormat.READ_INDEX_REQUEST;
import static dev.floe.raft.transport.netty.WireFormat.READ_INDEX_RESPONSE;
import static dev.floe.raft.transport.netty.WireFormat.REFUSAL;
import static dev.floe.raft.transport.netty.WireFormat.TIMEOUT_NOW;
import static dev.floe.raft.transport.netty.WireFormat.VOTE_REQUEST;
import static dev.floe.raft.transport.netty.WireFormat.VOTE_RESPONSE;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.AppendResponse;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.ForwardRequest;
import dev.floe.raft.message.ForwardResponse;
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.InstallSnapshotResponse;
import dev.floe.raft.message.LogEntries;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.ReadIndexRequest;
import dev.floe.raft.message.ReadIndexResponse;
import dev.floe.raft.message.TimeoutNow;
import dev.floe.raft.message.VoteRequest;
import dev.floe.raft.message.VoteResponse;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes {@link RaftMessage}s, {@link Handshake}s, {@link Accept}s and {@link Refusal}s to frame
 * bodies and decodes them back, in the layout documented on {@link WireFormat}. Frame lengths are
 * added and removed by the pipeline.
 *
 * <p>Decoding never trusts a length: every count and size is checked against the bytes left in the
 * frame before anything is allocated, and a frame must be consumed exactly. A malformed body throws
 * {@link CorruptedFrameException}. Decoded messages copy their bytes out of the buffer, so the
 * caller releases the frame as soon as decoding returns.
 *
 * <p>An instance remembers the node ids it expects to see (the connection's peer and the local
 * node) and returns those instances instead of decoding new ones. Not thread-safe: one per
 * connection. The static methods are thread-safe.
 */
final class MessageCodec {
  private static final int LONG = Long.BYTES;
  private static final int ENTRY_HEADER_BYTES = LONG + LONG + 1 + Integer.BYTES;

  private final NodeId[] knownIds;
  private final byte[][] knownIdBytes;

  /** A decoder that knows the given ids (any of them may be null). */
  MessageCodec(NodeId... knownIds) {
    this.knownIds = knownIds.clone();
    this.knownIdBytes = new byte[knownIds.length][];
    for (int i = 0; i < knownIds.length; i++) {
      knownIdBytes[i] =
          knownIds[i] == null ? null : knownIds[i].value().getBytes(StandardCharsets.UTF_8);
    }
  }

  // ---------------------------------------------------------------------------------- sizes

  /** Returns the exact number of bytes {@link #encode} writes for {@code m}. */
  static int encodedSize(RaftMessage m) {
    int header = 1 + idSize(m.from()) + idSize(m.to()) + LONG;
    if (m instanceof AppendRequest r) {
      long size = header + 2 * LONG + Integer.BYTES + 2 * LONG;
      for (LogEntry e : r.entries()) {
        size += ENTRY_HEADER_BYTES + e.data().length;
      }
      return (int) Math.min(size, Integer.MAX_VALUE);
    } else if (m instanceof AppendResponse) {
      return header + 1 + 6 * LONG;
    } else if (m instanceof VoteRequest) {
      return header + 2 * LONG + 2;
    } else if (m instanceof VoteResponse) {
      return header + 2;
    } else if (m instanceof InstallSnapshotRequest r) {
      long size = header + 4 * LONG + 2L * Integer.BYTES + r.configuration().length
          + r.chunk().length + 1;
      return (int) Math.min(size, Integer.MAX_VALUE);
    } else if (m instanceof InstallSnapshotResponse) {
      return header + 3 * LONG + 1;
    } else if (m instanceof TimeoutNow) {
      return header;
    } else if (m instanceof ForwardRequest r) {
      return (int) Math.min((long) header + 2 * LONG + Integer.BYTES + 1 + r.command().length,
          Integer.MAX_VALUE);
    } else if (m instanceof ForwardResponse r) {
      return header + 3 * LONG + 1 + nullableIdSize(r.leaderHint());
    } else if (m instanceof ReadIndexRequest) {
      return header + LONG;
    } else if (m instanceof ReadIndexResponse r) {
      return header + 2 * LONG + 1 + nullableIdSize(r.leaderHint());
    }
    throw new IllegalArgumentException("unknown message type " + m.getClass());
  }

  /** Returns the exact number of bytes {@link #encodeHandshake} writes for {@code h}. */
  static int encodedSize(Handshake h) {
    return 1 + Integer.BYTES + Short.BYTES + (h.exact() ? 0 : Short.BYTES) + Short.BYTES
        + h.clusterId().getBytes(StandardCharsets.UTF_8).length + idSize(h.nodeId()) + 1;
  }

  /** Returns the exact number of bytes {@link #encodeRefusal} writes for {@code r}. */
  static int encodedSize(Refusal r) {
    return 1 + 1 + Short.BYTES + r.clusterId().getBytes(StandardCharsets.UTF_8).length
        + idSize(r.nodeId()) + (r.acceptorVersions() == null ? 0 : 4 * Short.BYTES);
  }

  /** Returns the exact number of bytes {@link #encodeAccept} writes for {@code a}. */
  static int encodedSize(Accept a) {
    return 1 + Short.BYTES + idSize(a.nodeId());
  }

  private static int idSize(NodeId id) {
    return 1 + id.value().length(); // ids are ASCII by construction
  }

  private static int nullableIdSize(NodeId id) {
    return id == null ? 1 : idSize(id);
  }

  // ------------------------------------------------------------------------------- encoding

  /**
   * Writes the body of a handshake frame: of the version-4 layout if {@code h} offers one exact
   * version of 4 or before, of the range layout otherwise.
   */
  static void encodeHandshake(Handshake h, ByteBuf out) {
    out.writeByte(HANDSHAKE);
    out.writeInt(WireFormat.MAGIC);
    out.writeShort(h.versions().max());
    if (!h.exact()) {
      out.writeShort(h.versions().min());
    }
    byte[] cluster = h.clusterId().getBytes(StandardCharsets.UTF_8);
    out.writeShort(cluster.length);
    out.writeBytes(cluster);
    writeId(out, h.nodeId());
    out.writeByte(h.lane().code);
  }

  /** Writes the body of a refusal frame. */
  static void encodeRefusal(Refusal r, ByteBuf out) {
    out.writeByte(REFUSAL);
    out.writeByte(r.reason());
    byte[] cluster = r.clusterId().getBytes(StandardCharsets.UTF_8);
    out.writeShort(cluster.length);
    out.writeBytes(cluster);
    writeId(out, r.nodeId());
    if (r.acceptorVersions() != null) {
      out.writeShort(r.acceptorVersions().min());
      out.writeShort(r.acceptorVersions().max());
      out.writeShort(r.dialerVersions().min());
      out.writeShort(r.dialerVersions().max());
    }
  }

  /** Writes the body of an accept frame. */
  static void encodeAccept(Accept a, ByteBuf out) {
    out.writeByte(ACCEPT);
    out.writeShort(a.version());
    writeId(out, a.nodeId());
  }

  /** Writes the body of a message frame. */
  static void encode(RaftMessage m, ByteBuf out) {
    if (m instanceof AppendRequest r) {
      header(out, APPEND_REQUEST, m);
      out.writeLong(r.prevLogIndex());
      out.writeLong(r.prevLogTerm());
      List<LogEntry> entries = r.entries();
      out.writeInt(entries.size());
      for (int i = 0, n = entries.size(); i < n; i++) {
        LogEntry e = entries.get(i);
        out.writeLong(e.index());
        out.writeLong(e.term());
        out.writeByte(e.type().code());
        writeBytes(out, e.data());
      }
      out.writeLong(r.leaderCommit());
      out.writeLong(r.round());
    } else if (m instanceof AppendResponse r) {
      header(out, APPEND_RESPONSE, m);
      out.writeBoolean(r.success());
      out.writeLong(r.matchIndex());
      out.writeLong(r.rejectedIndex());
      out.writeLong(r.conflictTerm());
      out.writeLong(r.conflictIndex());
      out.writeLong(r.lastLogIndex());
      out.writeLong(r.round());
    } else if (m instanceof VoteRequest r) {
      header(out, VOTE_REQUEST, m);
      out.writeLong(r.lastLogIndex());
      out.writeLong(r.lastLogTerm());
      out.writeBoolean(r.preVote());
      out.writeBoolean(r.leadershipTransfer());
    } else if (m instanceof VoteResponse r) {
      header(out, VOTE_RESPONSE, m);
      out.writeBoolean(r.granted());
      out.writeBoolean(r.preVote());
    } else if (m instanceof InstallSnapshotRequest r) {
      header(out, INSTALL_SNAPSHOT_REQUEST, m);
      out.writeLong(r.snapshotIndex());
      out.writeLong(r.snapshotTerm());
      writeBytes(out, r.configuration());
      out.writeLong(r.offset());
      writeBytes(out, r.chunk());
      out.writeBoolean(r.done());
      out.writeLong(r.round());
    } else if (m instanceof InstallSnapshotResponse r) {
      header(out, INSTALL_SNAPSHOT_RESPONSE, m);
      out.writeLong(r.snapshotIndex());
      out.writeLong(r.nextOffset());
      out.writeBoolean(r.done());
      out.writeLong(r.round());
    } else if (m instanceof TimeoutNow) {
      header(out, TIMEOUT_NOW, m);
    } else if (m instanceof ForwardRequest r) {
      header(out, FORWARD_REQUEST, m);
      out.writeLong(r.requestId());
      writeBytes(out, r.command());
      out.writeLong(r.settledBelow());
      out.writeByte(r.type().code());
    } else if (m instanceof ForwardResponse r) {
      header(out, FORWARD_RESPONSE, m);
      out.writeLong(r.requestId());
      out.writeBoolean(r.accepted());
      out.writeLong(r.index());
      out.writeLong(r.entryTerm());
      writeNullableId(out, r.leaderHint());
    } else if (m instanceof ReadIndexRequest r) {
      header(out, READ_INDEX_REQUEST, m);
      out.writeLong(r.requestId());
    } else if (m instanceof ReadIndexResponse r) {
      header(out, READ_INDEX_RESPONSE, m);
      out.writeLong(r.requestId());
      out.writeBoolean(r.accepted());
      out.writeLong(r.readIndex());
      writeNullableId(out, r.leaderHint());
    } else {
      throw new IllegalArgumentException("unknown message type " + m.getClass());
    }
  }

  private static void header(ByteBuf out, int type, RaftMessage m) {
    out.writeByte(type);
    writeId(out, m.from());
    writeId(out, m.to());
    out.writeLong(m.term());
  }

  private static void writeId(ByteBuf out, NodeId id) {
    String v = id.value();
    out.writeByte(v.length());
    out.writeCharSequence(v, StandardCharsets.US_ASCII);
  }

  private static void writeNullableId(ByteBuf out, NodeId id) {
    if (id == null) {
      out.writeByte(0);
    } else {
      writeId(out, id);
    }
  }

  private static void writeBytes(ByteBuf out, byte[] bytes) {
    out.writeInt(bytes.length);
    out.writeBytes(bytes);
  }

  // ------------------------------------------------------------------------------- decoding

  /** Returns the type byte of a frame body without consuming it. */
  static int peekType(ByteBuf frame) {
    if (!frame.isReadable()) {
      throw new CorruptedFrameException("empty frame");
    }
    return frame.getUnsignedByte(frame.readerIndex());
  }

  /**
   * Decodes a handshake frame body, of the version-4 layout or of the range layout (version 5 and
   * later; bytes after the lane of a handshake above version 5 are skipped, since a later version
   * may add fields there). It does not check that the versions it offers are ones this node
   * speaks: that is the acceptor's decision, which it answers with a refusal naming both ranges.
   *
   * @throws UnsupportedVersionException if the handshake is of a version before 4, whose layout
   *     this code does not read
   * @throws CorruptedFrameException if the body is not a well-formed handshake
   */
  Handshake decodeHandshake(ByteBuf in) {
    int type = readUnsignedByte(in);
    if (type != HANDSHAKE) {
      throw new CorruptedFrameException("expected a handshake, got message type " + type);
    }
    need(in, Integer.BYTES + Short.BYTES);
    int magic = in.readInt();
    if (magic != WireFormat.MAGIC) {
      throw new CorruptedFrameException("bad handshake magic 0x" + Integer.toHexString(magic));
    }
    int version = in.readUnsignedShort();
    if (version == 0) {
      throw new CorruptedFrameException("bad protocol version 0");
    }
    if (version < WireFormat.EXACT_HANDSHAKE_VERSION) {
      throw new UnsupportedVersionException(version);
    }
    ProtocolVersions offered;
    if (version == WireFormat.EXACT_HANDSHAKE_VERSION) {
      offered = ProtocolVersions.exactly(version);
    } else {
      need(in, Short.BYTES);
      int min = in.readUnsignedShort();
      if (min < 1 || min > version) {
        throw new CorruptedFrameException("bad handshake version range " + min + " to " + version);
      }
      offered = new ProtocolVersions(min, version);
    }
    String clusterId = readClusterId(in);
    NodeId nodeId = readId(in);
    Lane lane;
    try {
      lane = Lane.fromCode(readUnsignedByte(in));
    } catch (IllegalArgumentException e) {
      throw new CorruptedFrameException(e.getMessage());
    }
    if (version > WireFormat.VERSION) {
      in.skipBytes(in.readableBytes());
    }
    finish(in);
    return new Handshake(offered, clusterId, nodeId, lane);
  }

  /**
   * Decodes an accept frame body.
   *
   * @throws CorruptedFrameException if the body is not a well-formed accept
   */
  Accept decodeAccept(ByteBuf in) {
    int type = readUnsignedByte(in);
    if (type != ACCEPT) {
      throw new CorruptedFrameException("expected an accept, got message type " + type);
    }
    need(in, Short.BYTES);
    int version = in.readUnsignedShort();
    NodeId nodeId = readId(in);
    finish(in);
    return new Accept(version, nodeId);
  }

  /**
   * Decodes a refusal frame body. Its layout does not depend on the protocol version, so a dialer
   * learns why it was refused whatever version the acceptor speaks; a refusal of a reason this
   * code does not know may carry more bytes, which are skipped.
   *
   * @throws CorruptedFrameException if the body is not a well-formed refusal
   */
  Refusal decodeRefusal(ByteBuf in) {
    int type = readUnsignedByte(in);
    if (type != REFUSAL) {
      throw new CorruptedFrameException("expected a refusal, got message type " + type);
    }
    int reason = readUnsignedByte(in);
    String clusterId = readClusterId(in);
    NodeId nodeId = readId(in);
    Refusal r;
    if (reason == WireFormat.REFUSED_VERSION) {
      need(in, 4 * Short.BYTES);
      r = Refusal.ofVersions(clusterId, nodeId, readVersions(in), readVersions(in));
    } else {
      r = new Refusal(reason, clusterId, nodeId);
      if (reason > WireFormat.REFUSED_IDENTITY) {
        in.skipBytes(in.readableBytes());
      }
    }
    finish(in);
    return r;
  }

  private static ProtocolVersions readVersions(ByteBuf in) {
    int min = in.readUnsignedShort();
    int max = in.readUnsignedShort();
    try {
      return new ProtocolVersions(min, max);
    } catch (IllegalArgumentException e) {
      throw new CorruptedFrameException(e.getMessage());
    }
  }

  private static String readClusterId(ByteBuf in) {
    need(in, Short.BYTES);
    int length = in.readUnsignedShort();
    if (length < 1 || length > WireFormat.MAX_CLUSTER_ID_BYTES) {
      throw new CorruptedFrameException("bad cluster id length " + length);
    }
    need(in, length);
    return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
  }

  /**
   * Decodes a message frame body.
   *
   * @throws CorruptedFrameException if the body is not a well-formed message
   */
  RaftMessage decode(ByteBuf in) {
    try {
      RaftMessage m = decode0(in);
      finish(in);
      return m;
    } catch (IllegalArgumentException e) {
      // A record or NodeId refused a decoded value.
      throw new CorruptedFrameException(e.getMessage(), e);
    }
  }

  private RaftMessage decode0(ByteBuf in) {
    int type = readUnsignedByte(in);
    if (type == HANDSHAKE) {
      throw new CorruptedFrameException("unexpected second handshake");
    }
    if (type == REFUSAL || type == ACCEPT) {
      throw new CorruptedFrameException("unexpected " + (type == REFUSAL ? "refusal" : "accept")
          + " from a dialer");
    }
    if (type > READ_INDEX_RESPONSE) {
      throw new CorruptedFrameException("unknown message type " + type);
    }
    NodeId from = readId(in);
    NodeId to = readId(in);
    long term = readLong(in);
    switch (type) {
      case VOTE_REQUEST:
        return new VoteRequest(from, to, term, readLong(in), readLong(in), readBoolean(in),
            readBoolean(in));
      case VOTE_RESPONSE:
        return new VoteResponse(from, to, term, readBoolean(in), readBoolean(in));
      case APPEND_REQUEST:
        return new AppendRequest(from, to, term, readLong(in), readLong(in), readEntries(in),
            readLong(in), readLong(in));
      case APPEND_RESPONSE:
        return new AppendResponse(from, to, term, readBoolean(in), readLong(in), readLong(in),
            readLong(in), readLong(in), readLong(in), readLong(in));
      case INSTALL_SNAPSHOT_REQUEST:
        return new InstallSnapshotRequest(from, to, term, readLong(in), readLong(in),
            readBytes(in), readLong(in), readBytes(in), readBoolean(in), readLong(in));
      case INSTALL_SNAPSHOT_RESPONSE:
        return new InstallSnapshotResponse(from, to, term, readLong(in), readLong(in),
            readBoolean(in), readLong(in));
      case TIMEOUT_NOW:
        return new TimeoutNow(from, to, term);
      case FORWARD_REQUEST:
        return new ForwardRequest(from, to, term, readLong(in), readBytes(in), readLong(in),
            readCommandType(in));
      case FORWARD_RESPONSE:
        return new ForwardResponse(from, to, term, readLong(in), readBoolean(in), readLong(in),
            readLong(in), readNullableId(in));
      case READ_INDEX_REQUEST:
        return new ReadIndexRequest(from, to, term, readLong(in));
      case READ_INDEX_RESPONSE:
        return new ReadIndexResponse(from, to, term, readLong(in), readBoolean(in), readLong(in),
            readNullableId(in));
      default:
        throw new CorruptedFrameException("unknown message type " + type);
    }
  }

  private static List<LogEntry> readEntries(ByteBuf in) {
    int count = readInt(in);
    if (count < 0 || (long) count * ENTRY_HEADER_BYTES > in.readableBytes()) {
      throw new CorruptedFrameException(
          "bad entry count " + count + " with " + in.readableBytes() + " bytes left");
    }
    LogEntries.Builder entries = LogEntries.builder(count);
    for (int i = 0; i < count; i++) {
      long index = readLong(in);
      long term = readLong(in);
      EntryType type = EntryType.fromCode(readUnsignedByte(in));
      entries.add(new LogEntry(index, term, type, readBytes(in)));
    }
    return entries.build(); // the message keeps a LogEntries without another copy
  }

  /** A forwarded entry's type: a command, plain or within a session. */
  private static EntryType readCommandType(ByteBuf in) {
    int code = readUnsignedByte(in);
    if (code != EntryType.COMMAND.code() && code != EntryType.SESSION_COMMAND.code()) {
      throw new CorruptedFrameException("a forwarded entry must be a command, not type " + code);
    }
    return EntryType.fromCode(code);
  }

  private NodeId readId(ByteBuf in) {
    NodeId id = readNullableId(in);
    if (id == null) {
      throw new CorruptedFrameException("empty node id");
    }
    return id;
  }

  private NodeId readNullableId(ByteBuf in) {
    int length = readUnsignedByte(in);
    if (length == 0) {
      return null;
    }
    if (length > WireFormat.MAX_NODE_ID_BYTES) {
      throw new CorruptedFrameException("node id too long: " + length + " bytes");
    }
    need(in, length);
    for (int i = 0; i < knownIds.length; i++) {
      if (knownIdBytes[i] != null && matches(in, knownIdBytes[i], length)) {
        in.skipBytes(length);
        return knownIds[i];
      }
    }
    return NodeId.of(in.readCharSequence(length, StandardCharsets.UTF_8).toString());
  }

  private static boolean matches(ByteBuf in, byte[] expected, int length) {
    if (expected.length != length) {
      return false;
    }
    int base = in.readerIndex();
    for (int i = 0; i < length; i++) {
      if (in.getByte(base + i) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] readBytes(ByteBuf in) {
    int length = readInt(in);
    if (length < 0 || length > in.readableBytes()) {
      throw new CorruptedFrameException(
          "bad byte-array length " + length + " with " + in.readableBytes() + " bytes left");
    }
    byte[] bytes = new byte[length];
    in.readBytes(bytes);
    return bytes;
  }

  private static boolean readBoolean(ByteBuf in) {
    int b = readUnsignedByte(in);
    if (b > 1) {
      throw new CorruptedFrameException("bad boolean " + b);
    }
    return b == 1;
  }

  private static int readUnsignedByte(ByteBuf in) {
    need(in, 1);
    return in.readUnsignedByte();
  }

  private static int readInt(ByteBuf in) {
    need(in, Integer.BYTES);
    return in.readInt();
  }

  private static long readLong(ByteBuf in) {
    need(in, LONG);
    return in.readLong();
  }

  private static void need(ByteBuf in, int bytes) {
    if (in.readableBytes() < bytes) {
      throw new CorruptedFrameException(
          "truncated frame: need " + bytes + " bytes, " + in.readableBytes() + " left");
    }
  }

  private static void finish(ByteBuf in) {
    if (in.isReadable()) {
      throw new CorruptedFrameException(in.readableBytes() + " unexpected bytes after message");
    }
  }
}
