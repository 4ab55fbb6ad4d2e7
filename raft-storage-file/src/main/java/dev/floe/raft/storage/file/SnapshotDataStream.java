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
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Reads a snapshot's data file from an offset up to the size its meta file records, holding no
 * more than the caller's buffer in memory. A stream that starts at offset 0 checks the CRC32C of
 * the data as it goes and, in the read that reaches the end, throws instead of returning the last
 * bytes if it does not match; so even a caller that reads exactly {@code sizeBytes} and stops gets
 * the check. A file shorter than recorded also fails the read.
 *
 * <p>The open channel keeps the file readable even if the store removes the snapshot meanwhile (on
 * POSIX file systems). Not thread-safe, like most streams.
 */
final class SnapshotDataStream extends InputStream {
  private final FileChannel channel;
  private final Path file;
  private final long sizeBytes;
  private final int expectedCrc;
  private final CRC32C crc; // null when not reading from offset 0: nothing to check
  private long position;
  private IOException failure;

  SnapshotDataStream(FileChannel channel, Path file, long offset, long sizeBytes, int expectedCrc) {
    this.channel = channel;
    this.file = file;
    this.position = offset;
    this.sizeBytes = sizeBytes;
    this.expectedCrc = expectedCrc;
    this.crc = offset == 0 ? new CRC32C() : null;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, buffer.length);
    if (failure != null) {
      throw failure;
    }
    if (position == sizeBytes) {
      verify(); // an empty snapshot, or a caller that asks past the end
      return -1;
    }
    if (length == 0) {
      return 0;
    }
    int wanted = (int) Math.min(length, sizeBytes - position);
    int n = channel.read(ByteBuffer.wrap(buffer, offset, wanted), position);
    if (n < 0) {
      throw fail(
          new IOException(
              "snapshot data file " + file + " ends at byte " + position + ", its meta file says "
                  + sizeBytes));
    }
    if (crc != null) {
      crc.update(buffer, offset, n);
    }
    position += n;
    if (position == sizeBytes) {
      verify();
    }
    return n;
  }

  @Override
  public int available() {
    return (int) Math.min(Integer.MAX_VALUE, sizeBytes - position);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private void verify() throws IOException {
    if (crc != null && (int) crc.getValue() != expectedCrc) {
      throw fail(
          new IOException(
              "corrupt snapshot data file " + file + ": CRC32C mismatch over its " + sizeBytes
                  + " bytes"));
    }
  }

  private IOException fail(IOException e) {
    failure = e;
    return e;
  }
}
