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
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.AppendResponse;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The transport's message codec on the replication hot path: encoding an {@code AppendRequest} of
 * {@code entries} 100-byte entries into a pooled buffer (as {@code FrameEncoder} does: size, then
 * encode) and decoding it back into records; the same for the {@code AppendResponse} that answers
 * it. Lives in the codec's package because {@code MessageCodec} is package-private (this module
 * is on the same classpath, so the split package works outside the module system).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageCodecBenchmark {
  private static final NodeId LEADER = NodeId.of("n1");
  private static final NodeId FOLLOWER = NodeId.of("n2");

  @Param({"1", "64"})
  int entries;

  private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
  private final MessageCodec codec = new MessageCodec(LEADER, FOLLOWER);
  private AppendRequest request;
  private AppendResponse response;
  private ByteBuf encodedRequest;
  private ByteBuf encodedResponse;

  /** Builds the messages and encodes one copy of each to decode from. */
  @Setup(Level.Trial)
  public void setUp() {
    Random random = new Random(7);
    List<LogEntry> list = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      byte[] data = new byte[100];
      random.nextBytes(data);
      list.add(LogEntry.command(1_000 + i, 3, data));
    }
    request = new AppendRequest(LEADER, FOLLOWER, 3, 999, 3, list, 990, 17);
    response = new AppendResponse(FOLLOWER, LEADER, 3, true, 999 + entries, 0, 0, 0, 999 + entries, 17);
    encodedRequest = encode(request);
    encodedResponse = encode(response);
  }

  /** Releases the encoded copies. */
  @TearDown(Level.Trial)
  public void tearDown() {
    encodedRequest.release();
    encodedResponse.release();
  }

  private ByteBuf encode(RaftMessage m) {
    ByteBuf buf = allocator.ioBuffer(MessageCodec.encodedSize(m));
    MessageCodec.encode(m, buf);
    return buf;
  }

  /** Sizes, allocates, encodes and releases an AppendRequest frame body. */
  @Benchmark
  public int encodeAppendRequest() {
    ByteBuf buf = encode(request);
    int size = buf.readableBytes();
    buf.release();
    return size;
  }

  /** Decodes an AppendRequest frame body into a record (entries copied out of the buffer). */
  @Benchmark
  public RaftMessage decodeAppendRequest() {
    encodedRequest.readerIndex(0);
    return codec.decode(encodedRequest);
  }

  /** Sizes, allocates, encodes and releases an AppendResponse frame body. */
  @Benchmark
  public int encodeAppendResponse() {
    ByteBuf buf = encode(response);
    int size = buf.readableBytes();
    buf.release();
    return size;
  }

  /** Decodes an AppendResponse frame body. */
  @Benchmark
  public RaftMessage decodeAppendResponse() {
    encodedResponse.readerIndex(0);
    return codec.decode(encodedResponse);
  }
}
