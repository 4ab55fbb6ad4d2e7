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
package dev.floe.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zeros are kept ahead of small writes, so that their forces leave the file's size alone, but
 * not chased by large writes, which would put every byte on the disk twice.
 */
class SegmentTailTest {
  private static final long AHEAD = 1 << 20;

  @TempDir Path dir;

  private static long append(FileChannel channel, SegmentTail tail, long at, int bytes)
      throws IOException {
    ByteBuffer data = ByteBuffer.allocate(bytes);
    long end = at;
    while (data.hasRemaining()) {
      end += channel.write(data, end);
    }
    tail.wrote(channel, end);
    return end;
  }

  private FileChannel openSegment() throws IOException {
    return FileChannel.open(dir.resolve("segment"),
        StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  @Test
  void smallWritesRunOverZerosWrittenAheadAndLargeOnesDoNotWriteZeros() throws IOException {
    try (FileChannel channel = openSegment()) {
      SegmentTail tail = new SegmentTail(AHEAD, null);
      tail.started(1);
      long end = append(channel, tail, SegmentFormat.HEADER_SIZE, 100);
      assertThat(channel.size()).as("zeros ahead of a small write").isEqualTo(end + AHEAD);

      long sizeBefore = channel.size();
      end = append(channel, tail, end, 4096);
      assertThat(channel.size()).as("a small write within the zeros").isEqualTo(sizeBefore);

      end = append(channel, tail, end, 3 << 20);
      assertThat(channel.size()).as("a large write past the zeros adds none").isEqualTo(end);

      end = append(channel, tail, end, 100);
      assertThat(channel.size()).as("small writes get zeros ahead again")
          .isEqualTo(end + AHEAD);
    }
  }

  /**
   * A write shorter than one fill that still runs past the zeros gets zeros after it: otherwise a
   * stream of writes a little shorter than a fill (batches of larger commands) would change the
   * file's size at every force, as when the rule was a quarter of a fill.
   */
  @Test
  void aWriteShorterThanOneFillThatRunsPastTheZerosGetsZerosAfterIt() throws IOException {
    try (FileChannel channel = openSegment()) {
      SegmentTail tail = new SegmentTail(AHEAD, null);
      tail.started(1);
      long end = append(channel, tail, SegmentFormat.HEADER_SIZE, 100);
      end = append(channel, tail, end, (int) (AHEAD * 3 / 10)); // more than half a fill is left
      long zerosEnd = channel.size();
      end = append(channel, tail, end, (int) AHEAD - 1000);
      assertThat(end).as("the write ran past the zeros").isGreaterThan(zerosEnd);
      assertThat(channel.size()).as("zeros ahead of it again").isEqualTo(end + AHEAD);

      end = append(channel, tail, end, (int) AHEAD + 1000);
      assertThat(channel.size()).as("a write longer than one fill past the zeros adds none")
          .isEqualTo(end);
    }
  }
}
