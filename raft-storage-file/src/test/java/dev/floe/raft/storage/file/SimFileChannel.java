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
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * A channel on a {@link SimFileSystem} file: reads and writes its written content, and forces it
 * to durable. A channel opened before a crash fails every call but {@code close}: its process is
 * gone. Mapping, transfers and locks are not supported (the stores use none of them).
 */
final class SimFileChannel extends FileChannel {
  private final SimFileSystem fs;
  private final SimInode inode;
  private final Path path;
  private final int generation;
  private final boolean readable;
  private final boolean writable;
  private long position;

  SimFileChannel(
      SimFileSystem fs, SimInode inode, Path path, int generation, boolean readable,
      boolean writable) {
    this.fs = fs;
    this.inode = inode;
    this.path = path;
    this.generation = generation;
    this.readable = readable;
    this.writable = writable;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    synchronized (fs) {
      int n = read(dst, position);
      if (n > 0) {
        position += n;
      }
      return n;
    }
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      int n = read(dsts[i]);
      if (n < 0) {
        return total == 0 ? -1 : total;
      }
      total += n;
    }
    return total;
  }

  @Override
  public int read(ByteBuffer dst, long at) throws IOException {
    synchronized (fs) {
      ensureOpen();
      if (!readable) {
        throw new NonReadableChannelException();
      }
      fs.checkChannel(generation, false);
      byte[] bytes = new byte[dst.remaining()];
      int n = inode.read(bytes, 0, bytes.length, at);
      if (n > 0) {
        dst.put(bytes, 0, n);
      }
      return n == -1 && bytes.length == 0 ? 0 : n;
    }
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    synchronized (fs) {
      int n = write(src, position);
      position += n;
      return n;
    }
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      total += write(srcs[i]);
    }
    return total;
  }

  @Override
  public int write(ByteBuffer src, long at) throws IOException {
    synchronized (fs) {
      checkWritable();
      fs.checkSpace();
      byte[] bytes = new byte[src.remaining()];
      src.get(bytes);
      inode.write(bytes, 0, bytes.length, at);
      return bytes.length;
    }
  }

  @Override
  public long position() throws IOException {
    ensureOpen();
    return position;
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    ensureOpen();
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    synchronized (fs) {
      ensureOpen();
      fs.checkChannel(generation, false);
      return inode.size();
    }
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    synchronized (fs) {
      checkWritable();
      inode.truncate(size);
      position = Math.min(position, size);
      return this;
    }
  }

  @Override
  public void force(boolean metaData) throws IOException {
    ensureOpen();
    fs.force(inode, generation);
  }

  private void checkWritable() throws IOException {
    ensureOpen();
    if (!writable) {
      throw new NonWritableChannelException();
    }
    fs.checkChannel(generation, true);
  }

  private void ensureOpen() throws IOException {
    if (!isOpen()) {
      throw new java.nio.channels.ClosedChannelException();
    }
  }

  @Override
  public long transferTo(long at, long count, WritableByteChannel target) {
    throw new UnsupportedOperationException();
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long at, long count) {
    throw new UnsupportedOperationException();
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long at, long size) {
    throw new UnsupportedOperationException();
  }

  @Override
  public FileLock lock(long at, long size, boolean shared) {
    throw new UnsupportedOperationException();
  }

  @Override
  public FileLock tryLock(long at, long size, boolean shared) {
    throw new UnsupportedOperationException();
  }

  @Override
  protected void implCloseChannel() {
    // nothing to release
  }

  @Override
  public String toString() {
    return "SimFileChannel[" + path + "]";
  }
}
