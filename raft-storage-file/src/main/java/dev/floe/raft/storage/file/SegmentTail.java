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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Map;

/**
 * The segment the writer appends to, as the writer knows it without asking the disk: where its
 * records end, through which offset it is forced (the sync watermark that every record written
 * next carries), and how far zeros were written ahead of the records. Used by the writer only.
 */
final class SegmentTail {
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

  /**
   * How many bytes of zeros the segment being written gets at a time ahead of the log's end. A
   * force that does not change a file's size need not commit file-system metadata, which makes it
   * markedly cheaper (docs/benchmarks.md: preallocated overwrite+force against append+force).
   * Recovery reads an all-zero remainder as the end of a segment.
   */
  private final long preallocateBytes;
  private long segment = -1;
  private long writtenEnd;
  private long syncedEnd;
  private long preallocatedEnd = -1; // -1: to be read from the file

  /**
   * @param recovered the last segment recovery found and its end, through which it is forced, or
   *     null if there is none
   */
  SegmentTail(long preallocateBytes, Map.Entry<Long, Long> recovered) {
    this.preallocateBytes = preallocateBytes;
    if (recovered != null) {
      segment = recovered.getKey();
      writtenEnd = recovered.getValue();
      syncedEnd = writtenEnd;
    }
  }

  /** The first index of the segment records go to, or -1 if there is none. */
  long segment() {
    return segment;
  }

  /** The watermark for the records written next. */
  long syncedEnd() {
    return syncedEnd;
  }

  /** A new segment with only its header written, nothing forced yet (not even the header). */
  void started(long firstIndex) {
    segment = firstIndex;
    writtenEnd = SegmentFormat.HEADER_SIZE;
    syncedEnd = 0;
    preallocatedEnd = -1;
  }

  /** The segment was truncated at {@code offset} and forced: a lower watermark than before. */
  void cut(long firstIndex, long offset) {
    segment = firstIndex;
    writtenEnd = offset;
    syncedEnd = offset;
    preallocatedEnd = -1;
  }

  /** Every segment was removed. */
  void removed() {
    segment = -1;
  }

  /**
   * Records were written up to {@code end}; keeps zeros ahead of them, unless the write was at
   * least one fill long and ran past the zeros: such a write pays the file-system metadata commit
   * once for many bytes, while zeros written ahead of a stream of large writes would put every
   * byte on the disk twice (and still change the file's size at every force).
   */
  void wrote(FileChannel channel, long end) throws IOException {
    long written = end - writtenEnd;
    writtenEnd = end;
    if (preallocatedEnd < 0) {
      preallocatedEnd = channel.size();
    }
    if (preallocateBytes == 0 || end + preallocateBytes / 2 <= preallocatedEnd) {
      return;
    }
    if (end > preallocatedEnd && written >= preallocateBytes) {
      return;
    }
    long position = Math.max(preallocatedEnd, end);
    long zerosEnd = position + preallocateBytes;
    while (position < zerosEnd) {
      ByteBuffer zeros = ZEROS.duplicate();
      zeros.limit((int) Math.min(zeros.capacity(), zerosEnd - position));
      position += channel.write(zeros, position);
    }
    preallocatedEnd = zerosEnd;
  }

  /** Everything written was forced. */
  void forced() {
    syncedEnd = writtenEnd;
  }
}
