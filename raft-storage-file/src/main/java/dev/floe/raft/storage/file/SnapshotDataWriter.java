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
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The stream of a snapshot sink: buffers up to {@link #BUFFER_BYTES} and writes them to the data
 * file, counting the bytes and computing their CRC32C on the way, so that commit needs no second
 * pass over the data. {@link #close()} only flushes: the sink owns the file and closes it at commit
 * or abort. Once the sink is finished every write fails. Used by one thread at a time.
 */
final class SnapshotDataWriter extends OutputStream {
  static final int BUFFER_BYTES = 64 * 1024;

  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
  private final CRC32C crc = new CRC32C();
  private long sizeBytes;
  private volatile String finished; // why writes fail, or null while open

  SnapshotDataWriter(FileChannel channel) {
    this.channel = channel;
  }

  @Override
  public void write(int b) throws IOException {
    checkOpen();
    if (!buffer.hasRemaining()) {
      drain();
    }
    buffer.put((byte) b);
    crc.update(b);
    sizeBytes++;
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    checkOpen();
    crc.update(bytes, offset, length);
    sizeBytes += length;
    if (length >= BUFFER_BYTES) {
      drain();
      writeFully(ByteBuffer.wrap(bytes, offset, length));
      return;
    }
    if (length > buffer.remaining()) {
      drain();
    }
    buffer.put(bytes, offset, length);
  }

  @Override
  public void flush() throws IOException {
    checkOpen();
    drain();
  }

  @Override
  public void close() throws IOException {
    if (finished == null) {
      drain();
    }
  }

  /** Writes what is buffered and stops accepting writes; {@code why} is the reason given then. */
  void finish(String why) throws IOException {
    if (finished == null) {
      finished = why;
      drain();
    }
  }

  /** Marks the writer finished without writing anything more. */
  void discard(String why) {
    finished = why;
  }

  long sizeBytes() {
    return sizeBytes;
  }

  int crc() {
    return (int) crc.getValue();
  }

  private void checkOpen() throws IOException {
    String why = finished;
    if (why != null) {
      throw new IOException("snapshot sink is " + why);
    }
  }

  private void drain() throws IOException {
    buffer.flip();
    writeFully(buffer);
    buffer.clear();
  }

  private void writeFully(ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }
}
