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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.ForwardResponse;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.TimeoutNow;
import dev.floe.raft.message.VoteResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class MessageCodecTest {
  /** Replay a failure with -Dfloe.seed=N (the seed is in the failure message). */
  private static final long MASTER_SEED = Long.getLong("floe.seed", System.nanoTime());
  private static final int INSTANCES_PER_TYPE = 500;

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");

  @Test
  void everyMessageTypeRoundTripsToAnEqualRecord() {
    Random master = new Random(MASTER_SEED);
    Set<Class<?>> seen = new HashSet<>();
    for (int type = 0; type < RandomMessages.TYPES; type++) {
      for (int i = 0; i < INSTANCES_PER_TYPE; i++) {
        long seed = master.nextLong();
        RaftMessage m = RandomMessages.of(type, new Random(seed));
        seen.add(m.getClass());
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer();
        try {
          MessageCodec.encode(m, buf);
          assertThat(buf.readableBytes())
              .as("encodedSize of %s (seed %d)", m, seed)
              .isEqualTo(MessageCodec.encodedSize(m));
          RaftMessage plain = new MessageCodec().decode(buf.duplicate());
          RaftMessage cached = new MessageCodec(m.from(), m.to()).decode(buf.duplicate());
          assertThat(plain).as("decoded (seed %d)", seed).isEqualTo(m);
          assertThat(cached).as("decoded with known ids (seed %d)", seed).isEqualTo(m);
        } finally {
          buf.release();
        }
      }
    }
    assertThat(seen).hasSize(RaftMessage.class.getPermittedSubclasses().length);
  }

  @Test
  void everyTruncationOfAMessageIsRejectedAsCorrupt() {
    Random master = new Random(MASTER_SEED + 1);
    for (int type = 0; type < RandomMessages.TYPES; type++) {
      long seed = master.nextLong();
      byte[] body = body(RandomMessages.of(type, new Random(seed)));
      for (int length = 0; length < body.length; length++) {
        ByteBuf prefix = Unpooled.wrappedBuffer(body, 0, length);
        assertThatThrownBy(() -> new MessageCodec().decode(prefix))
            .as("prefix of %d/%d bytes (seed %d)", length, body.length, seed)
            .isInstanceOf(CorruptedFrameException.class);
      }
    }
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] body = body(new TimeoutNow(N1, N2, 3));
    ByteBuf longer = Unpooled.buffer().writeBytes(body).writeByte(0);
    assertThatThrownBy(() -> new MessageCodec().decode(longer))
        .isInstanceOf(CorruptedFrameException.class)
        .hasMessageContaining("unexpected bytes");
  }

  @Test
  void corruptedBytesDecodeOrFailAsCorruptNeverOtherwise() {
    Random master = new Random(MASTER_SEED + 2);
    for (int i = 0; i < 5_000; i++) {
      long seed = master.nextLong();
      Random r = new Random(seed);
      byte[] body = body(RandomMessages.of(r.nextInt(RandomMessages.TYPES), r));
      for (int flips = 1 + r.nextInt(3); flips > 0; flips--) {
        body[r.nextInt(body.length)] ^= (byte) (1 << r.nextInt(8));
      }
      try {
        new MessageCodec().decode(Unpooled.wrappedBuffer(body));
      } catch (CorruptedFrameException expected) {
        // fine: rejected
      } catch (RuntimeException e) {
        fail("seed " + seed + ": a corrupted frame threw " + e + " instead of a corrupt-frame error");
      }
    }
  }

  @Test
  void unknownTypeBooleanAndEntryTypeAreRejected() {
    byte[] vote = body(new VoteResponse(N1, N2, 1, true, false));
    byte[] badType = vote.clone();
    badType[0] = 42;
    assertThatThrownBy(() -> new MessageCodec().decode(Unpooled.wrappedBuffer(badType)))
        .isInstanceOf(CorruptedFrameException.class)
        .hasMessageContaining("unknown message type 42");
    byte[] badBoolean = vote.clone();
    badBoolean[badBoolean.length - 1] = 2;
    assertThatThrownBy(() -> new MessageCodec().decode(Unpooled.wrappedBuffer(badBoolean)))
        .isInstanceOf(CorruptedFrameException.class)
        .hasMessageContaining("bad boolean");
  }

  @Test
  void aNullLeaderHintRoundTrips() {
    ForwardResponse m = new ForwardResponse(N1, N2, 7, 9, false, 0, 0, null);
    assertThat(new MessageCodec().decode(Unpooled.wrappedBuffer(body(m)))).isEqualTo(m);
  }

  @Test
  void aHandshakeOfferingARangeRoundTripsWithAStableLayout() {
    Handshake h = new Handshake(ProtocolVersions.CURRENT, "cluster-é", N1, Lane.BULK);
    ByteBuf buf = Unpooled.buffer();
    MessageCodec.encodeHandshake(h, buf);
    assertThat(buf.readableBytes()).isEqualTo(MessageCodec.encodedSize(h));
    assertThat(new MessageCodec().decodeHandshake(buf.duplicate())).isEqualTo(h);

    ByteBuf small = Unpooled.buffer();
    MessageCodec.encodeHandshake(new Handshake(ProtocolVersions.CURRENT, "c", N1, Lane.BULK),
        small);
    assertThat(bytes(small)).containsExactly(
        0, 'F', 'L', 'O', 'E', // type, magic
        0, 5, 0, 4, // highest, lowest version
        0, 1, 'c', // cluster id
        2, 'n', '1', // node id
        1); // lane
  }

  @Test
  void aVersionFourHandshakeKeepsItsLayout() {
    Handshake h = new Handshake(4, "c", N1);
    ByteBuf buf = Unpooled.buffer();
    MessageCodec.encodeHandshake(h, buf);
    assertThat(buf.readableBytes()).isEqualTo(MessageCodec.encodedSize(h));
    assertThat(bytes(buf.duplicate())).containsExactly(
        0, 'F', 'L', 'O', 'E', // type, magic
        0, 4, // the one version
        0, 1, 'c', // cluster id
        2, 'n', '1', // node id
        0); // lane
    assertThat(new MessageCodec().decodeHandshake(buf)).isEqualTo(h);
    assertThat(h.exact()).isTrue();
  }

  @Test
  void aHandshakeOfALaterVersionDecodesSkippingTheFieldsItAdded() {
    ByteBuf later = Unpooled.buffer();
    MessageCodec.encodeHandshake(new Handshake(new ProtocolVersions(5, 7), "c", N1, Lane.CONTROL),
        later);
    later.writeBytes(new byte[] {9, 9, 9});
    assertThat(new MessageCodec().decodeHandshake(later))
        .isEqualTo(new Handshake(new ProtocolVersions(5, 7), "c", N1, Lane.CONTROL));

    ByteBuf current = Unpooled.buffer();
    MessageCodec.encodeHandshake(new Handshake(ProtocolVersions.CURRENT, "c", N1, Lane.CONTROL),
        current);
    current.writeByte(9);
    assertThatThrownBy(() -> new MessageCodec().decodeHandshake(current))
        .isInstanceOf(CorruptedFrameException.class).hasMessageContaining("unexpected bytes");
  }

  @Test
  void aHandshakeOfAVersionTooOldToReadSaysWhichVersionItIs() {
    ByteBuf old = Unpooled.buffer();
    MessageCodec.encodeHandshake(new Handshake(3, "c", N1), old);
    assertThatThrownBy(() -> new MessageCodec().decodeHandshake(old))
        .isInstanceOfSatisfying(UnsupportedVersionException.class,
            e -> assertThat(e.version).isEqualTo(3))
        .hasMessageContaining("unsupported protocol version 3 (this node speaks 4 to 5)");
    ByteBuf backwards = Unpooled.wrappedBuffer(new byte[] {0, 'F', 'L', 'O', 'E', 0, 5, 0, 6});
    assertThatThrownBy(() -> new MessageCodec().decodeHandshake(backwards))
        .isInstanceOf(CorruptedFrameException.class).hasMessageContaining("range 6 to 5");
  }

  @Test
  void anAcceptRoundTripsWithAStableLayout() {
    Accept a = new Accept(5, N2);
    ByteBuf buf = Unpooled.buffer();
    MessageCodec.encodeAccept(a, buf);
    assertThat(buf.readableBytes()).isEqualTo(MessageCodec.encodedSize(a));
    assertThat(bytes(buf.duplicate())).containsExactly(13, 0, 5, 2, 'n', '2');
    assertThat(new MessageCodec().decodeAccept(buf)).isEqualTo(a);
  }

  @Test
  void aVersionRefusalCarriesBothRanges() {
    Refusal r = Refusal.ofVersions("ab", N2, new ProtocolVersions(6, 7), ProtocolVersions.CURRENT);
    ByteBuf buf = Unpooled.buffer();
    MessageCodec.encodeRefusal(r, buf);
    assertThat(buf.readableBytes()).isEqualTo(MessageCodec.encodedSize(r));
    assertThat(bytes(buf.duplicate())).containsExactly(
        12, 3, // type, reason
        0, 2, 'a', 'b', // cluster id
        2, 'n', '2', // node id
        0, 6, 0, 7, // the acceptor's versions
        0, 4, 0, 5); // the dialer's
    assertThat(new MessageCodec().decodeRefusal(buf)).isEqualTo(r);
    assertThat(r.explain(N2, "127.0.0.1:7002", N1, "ab")).isEqualTo("n2 at 127.0.0.1:7002 "
        + "refuses this node's connections: no protocol version in common: it speaks versions 6 "
        + "to 7, this node offered versions 4 to 5; upgrade the older node (each version speaks "
        + "the one before it)");
  }

  @Test
  void aRefusalOfAReasonThisVersionDoesNotKnowMayCarryMore() {
    ByteBuf later = Unpooled.wrappedBuffer(new byte[] {12, 9, 0, 1, 'a', 2, 'n', '2', 1, 2, 3});
    assertThat(new MessageCodec().decodeRefusal(later)).isEqualTo(new Refusal(9, "a", N2));
  }

  private static byte[] bytes(ByteBuf buf) {
    byte[] b = new byte[buf.readableBytes()];
    buf.readBytes(b);
    return b;
  }

  @Test
  void aRefusalRoundTripsFitsThePreHandshakeLimitAndHasAStableLayout() {
    Refusal longest = new Refusal(WireFormat.REFUSED_OTHER_CLUSTER, "c".repeat(64),
        NodeId.of("n".repeat(WireFormat.MAX_NODE_ID_BYTES)));
    ByteBuf buf = Unpooled.buffer();
    MessageCodec.encodeRefusal(longest, buf);
    assertThat(buf.readableBytes()).isEqualTo(MessageCodec.encodedSize(longest))
        .isLessThanOrEqualTo(WireFormat.MAX_HANDSHAKE_FRAME_BYTES);
    assertThat(new MessageCodec().decodeRefusal(buf)).isEqualTo(longest);

    ByteBuf small = Unpooled.buffer();
    MessageCodec.encodeRefusal(new Refusal(WireFormat.REFUSED_UNKNOWN_NODE, "ab", N2), small);
    byte[] bytes = new byte[small.readableBytes()];
    small.readBytes(bytes);
    assertThat(bytes).containsExactly(
        12, // type
        2, // reason
        0, 2, 'a', 'b', // cluster id
        2, 'n', '2'); // node id
  }

  @Test
  void aMalformedRefusalIsRefusedNamingTheProblem() {
    ByteBuf truncated = Unpooled.wrappedBuffer(new byte[] {12, 1, 0, 5, 'a'});
    assertThatThrownBy(() -> new MessageCodec().decodeRefusal(truncated))
        .isInstanceOf(CorruptedFrameException.class).hasMessageContaining("truncated frame");
    ByteBuf noCluster = Unpooled.wrappedBuffer(new byte[] {12, 1, 0, 0, 2, 'n', '2'});
    assertThatThrownBy(() -> new MessageCodec().decodeRefusal(noCluster))
        .isInstanceOf(CorruptedFrameException.class).hasMessageContaining("bad cluster id length 0");
    ByteBuf trailing = Unpooled.wrappedBuffer(new byte[] {12, 1, 0, 1, 'a', 2, 'n', '2', 9});
    assertThatThrownBy(() -> new MessageCodec().decodeRefusal(trailing))
        .isInstanceOf(CorruptedFrameException.class).hasMessageContaining("unexpected bytes");
  }

  @Test
  void aRefusalExplainsItselfFromTheDialersSideNamingBothIds() {
    assertThat(new Refusal(WireFormat.REFUSED_OTHER_CLUSTER, "green", N2)
        .explain(N2, "127.0.0.1:7002", N1, "blue"))
        .isEqualTo("n2 at 127.0.0.1:7002 refuses this node's connections: cluster id mismatch: "
            + "found cluster 'green' there, expected 'blue' (this node's)");
    assertThat(new Refusal(WireFormat.REFUSED_UNKNOWN_NODE, "blue", NodeId.of("n5"))
        .explain(N2, "127.0.0.1:7002", N1, "blue"))
        .isEqualTo("n2 at 127.0.0.1:7002 refuses this node's connections: the node listening "
            + "there is n5, not n2; it (cluster 'blue') does not know n1 as a peer");
    assertThat(new Refusal(99, "blue", N2).explain(N2, "h:1", N1, "blue"))
        .contains("a reason this version does not know (code 99");
  }

  @Test
  void theWireLayoutOfAVoteResponseIsStable() {
    byte[] body = body(new VoteResponse(N1, N2, 258, true, false));
    assertThat(body).containsExactly(
        2, // type
        2, 'n', '1', // from
        2, 'n', '2', // to
        0, 0, 0, 0, 0, 0, 1, 2, // term
        1, 0); // granted, preVote
  }

  static byte[] body(RaftMessage m) {
    ByteBuf buf = Unpooled.buffer();
    MessageCodec.encode(m, buf);
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    return bytes;
  }
}
