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

import dev.floe.raft.message.RaftMessage;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The frames a ready connection writes already encoded, against those of the pipeline encoder. */
@ExtendWith(LeakCheck.class)
class FrameEncoderTest {
  /** Replay a failure with -Dfloe.seed=N (the seed is in the failure message). */
  private static final long MASTER_SEED = Long.getLong("floe.seed", System.nanoTime());

  @Test
  void aFrameEncodedBeforeThePipelineHasTheEncodersBytesAndPassesThroughIt() {
    Random master = new Random(MASTER_SEED);
    EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder(HandshakeDialect.CURRENT));
    try {
      for (int type = 0; type < RandomMessages.TYPES; type++) {
        for (int i = 0; i < 50; i++) {
          long seed = master.nextLong();
          RaftMessage m = RandomMessages.of(type, new Random(seed));
          int size = MessageCodec.encodedSize(m);
          ByteBuf frame = FrameEncoder.frame(PooledByteBufAllocator.DEFAULT, m, size);
          byte[] direct = ByteBufUtil.getBytes(frame);
          assertThat(channel.writeOutbound(m, frame)).isTrue();
          ByteBuf byEncoder = channel.readOutbound();
          ByteBuf passed = channel.readOutbound();
          try {
            assertThat(passed).as("passed through as written (seed %d)", seed).isSameAs(frame);
            assertThat(direct).as("the encoder's bytes (seed %d)", seed)
                .isEqualTo(ByteBufUtil.getBytes(byEncoder));
            assertThat(passed.readInt()).isEqualTo(size);
            assertThat(new MessageCodec().decode(passed)).as("seed %d", seed).isEqualTo(m);
          } finally {
            byEncoder.release();
            passed.release();
          }
        }
      }
    } finally {
      assertThat(channel.finishAndReleaseAll()).isFalse();
    }
  }

  @Test
  void aSizeThatIsNotTheEncodingsFailsAndReleasesTheBuffer() {
    RaftMessage m = RandomMessages.of(0, new Random(MASTER_SEED));
    int size = MessageCodec.encodedSize(m);
    List<ByteBuf> allocated = new ArrayList<>();
    AbstractByteBufAllocator recording = new AbstractByteBufAllocator() {
      @Override
      protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf b = Unpooled.directBuffer(initialCapacity, maxCapacity);
        allocated.add(b);
        return b;
      }

      @Override
      protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf b = Unpooled.buffer(initialCapacity, maxCapacity);
        allocated.add(b);
        return b;
      }

      @Override
      public boolean isDirectBufferPooled() {
        return false;
      }
    };
    for (int wrong : new int[] {size - 1, size + 1, 0}) {
      assertThatThrownBy(() -> FrameEncoder.frame(recording, m, wrong))
          .isInstanceOf(EncoderException.class).hasMessageContaining("expected " + wrong);
    }
    assertThat(allocated).hasSize(3).allSatisfy(b -> assertThat(b.refCnt()).isZero());
  }
}
