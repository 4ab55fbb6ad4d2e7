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
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * What the small state files ({@code identity}, {@code meta}) share: a header of an int32 magic
 * number and an int16 format version, a CRC32C of every byte before it as the last four bytes, and
 * atomic replacement.
 */
final class SmallFiles {
  static final int MAGIC_OFFSET = 0;
  static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
  static final int CRC_LENGTH = 4;

  private SmallFiles() {}

  /**
   * Checks magic and version, in that order, then that the file can hold {@code fixedLength}
   * bytes and its CRC. The version is checked before anything that depends on the layout, so that
   * a file of a newer format is reported as such, not as corrupt.
   */
  static ByteBuffer checkHeader(Path file, byte[] bytes, int magic, int version, int fixedLength)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (bytes.length < VERSION_OFFSET + 2) {
      throw new CorruptLogException(file, bytes.length, "file is too short (" + bytes.length
          + " bytes)");
    }
    if (buffer.getInt(MAGIC_OFFSET) != magic) {
      throw new CorruptLogException(file, MAGIC_OFFSET, "bad magic number");
    }
    UnsupportedFormatException.check(file, buffer.getShort(VERSION_OFFSET), version);
    if (bytes.length < fixedLength + CRC_LENGTH) {
      throw new CorruptLogException(file, bytes.length, "file is too short (" + bytes.length
          + " bytes)");
    }
    return buffer;
  }

  /** Checks the CRC32C at {@code crcOffset}, over every byte before it. */
  static void checkCrc(Path file, byte[] bytes, int crcOffset) throws CorruptLogException {
    if (ByteBuffer.wrap(bytes).getInt(crcOffset) != crc(bytes, crcOffset)) {
      throw new CorruptLogException(file, crcOffset, "CRC mismatch");
    }
  }

  /** Puts the CRC32C of every byte before {@code crcOffset} there. */
  static void putCrc(ByteBuffer buffer, int crcOffset) {
    buffer.putInt(crcOffset, crc(buffer.array(), crcOffset));
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  /**
   * Replaces {@code dir/name} with {@code content} atomically and durably: write {@code
   * dir/tempName}, force it, rename it over {@code name} atomically, force {@code dir}.
   */
  static void replace(StorageIo io, Path dir, String tempName, String name, byte[] content)
      throws IOException {
    Path temp = dir.resolve(tempName);
    try (FileChannel channel = io.open(temp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(content);
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    io.moveAtomically(temp, dir.resolve(name));
    io.syncDirectory(dir);
  }
}
