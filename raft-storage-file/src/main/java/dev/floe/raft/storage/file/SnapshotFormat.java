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

import dev.floe.raft.spi.SnapshotMeta;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The names and the byte layout of a snapshot directory; see {@code docs/storage-format.md}. All
 * integers are big-endian.
 *
 * <pre>
 * &lt;snapshots&gt;/00000000000000000120-00000000000000000003/   index 120, term 3
 *   data   the state machine's bytes, as written to the sink
 *   meta   (44 + c bytes):
 *      0  int32  magic 0x464C534E ("FLSN")
 *      4  int16  format version (1)
 *      6  int16  reserved, 0
 *      8  int64  index (equal to the first number of the directory name)
 *     16  int64  term (equal to the second number)
 *     24  int64  size of data in bytes
 *     32  int32  CRC32C of data
 *     36  int32  length c of the configuration
 *     40  c      configuration
 *   40+c  int32  CRC32C of bytes 0..40+c
 * &lt;snapshots&gt;/tmp-...   a snapshot being written (or left over by a crash)
 * </pre>
 */
final class SnapshotFormat {
  static final String DATA_FILE = "data";
  static final String META_FILE = "meta";
  static final String TEMP_PREFIX = "tmp-";

  static final int MAGIC = 0x464C534E;
  static final short VERSION = 1;

  static final int MAGIC_OFFSET = 0;
  static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
  static final int RESERVED_OFFSET = VERSION_OFFSET + 2;
  static final int INDEX_OFFSET = RESERVED_OFFSET + 2;
  static final int TERM_OFFSET = INDEX_OFFSET + 8;
  static final int DATA_SIZE_OFFSET = TERM_OFFSET + 8;
  static final int DATA_CRC_OFFSET = DATA_SIZE_OFFSET + 8;
  static final int CONFIGURATION_LENGTH_OFFSET = DATA_CRC_OFFSET + 4;
  static final int CONFIGURATION_OFFSET = CONFIGURATION_LENGTH_OFFSET + 4;
  static final int CRC_LENGTH = 4;

  /** Bounds the meta file, so that a corrupt length cannot make open() allocate gigabytes. */
  static final int MAX_CONFIGURATION_BYTES = 16 * 1024 * 1024;

  private static final int DIGITS = 20;
  private static final int NAME_LENGTH = DIGITS + 1 + DIGITS;

  /**
   * A validated meta file.
   *
   * @param snapshot what it describes
   * @param dataCrc the CRC32C of the data file
   */
  record Meta(SnapshotMeta snapshot, int dataCrc) {}

  private SnapshotFormat() {}

  /** The name of the directory of the published snapshot at {@code index} and {@code term}. */
  static String directoryName(long index, long term) {
    return String.format("%0" + DIGITS + "d-%0" + DIGITS + "d", index, term);
  }

  /**
   * Returns {@code {index, term}} encoded in a published snapshot's directory name, or null if
   * {@code name} is not one.
   */
  static long[] parseDirectoryName(String name) {
    if (name.length() != NAME_LENGTH || name.charAt(DIGITS) != '-') {
      return null;
    }
    for (int i = 0; i < NAME_LENGTH; i++) {
      if (i != DIGITS && !Character.isDigit(name.charAt(i))) {
        return null;
      }
    }
    try {
      return new long[] {
        Long.parseLong(name.substring(0, DIGITS)), Long.parseLong(name.substring(DIGITS + 1))
      };
    } catch (NumberFormatException e) {
      return null; // beyond Long.MAX_VALUE: not a name this store wrote
    }
  }

  static byte[] encodeMeta(SnapshotMeta snapshot, int dataCrc) {
    byte[] configuration = snapshot.configuration();
    int crcOffset = CONFIGURATION_OFFSET + configuration.length;
    ByteBuffer buffer = ByteBuffer.allocate(crcOffset + CRC_LENGTH);
    buffer.putInt(MAGIC_OFFSET, MAGIC);
    buffer.putShort(VERSION_OFFSET, VERSION);
    buffer.putLong(INDEX_OFFSET, snapshot.index());
    buffer.putLong(TERM_OFFSET, snapshot.term());
    buffer.putLong(DATA_SIZE_OFFSET, snapshot.sizeBytes());
    buffer.putInt(DATA_CRC_OFFSET, dataCrc);
    buffer.putInt(CONFIGURATION_LENGTH_OFFSET, configuration.length);
    buffer.put(CONFIGURATION_OFFSET, configuration);
    buffer.putInt(crcOffset, crc(buffer.array(), crcOffset));
    return buffer.array();
  }

  /**
   * Reads and checks the meta file of the published snapshot directory {@code snapshotDir}: its
   * checksum, that it matches the directory's name, and that the data file has its size.
   *
   * @throws IOException naming the file if any of that is wrong
   */
  static Meta readMeta(StorageIo io, Path snapshotDir, long index, long term)
      throws IOException {
    Path file = snapshotDir.resolve(META_FILE);
    byte[] bytes;
    try {
      long size = io.size(file);
      if (size > CONFIGURATION_OFFSET + MAX_CONFIGURATION_BYTES + CRC_LENGTH) {
        throw corrupt(file, "too large (" + size + " bytes)");
      }
      bytes = io.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw corrupt(file, "missing");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (bytes.length >= VERSION_OFFSET + 2 && buffer.getInt(MAGIC_OFFSET) == MAGIC) {
      // Before anything that depends on the layout: a newer one may differ.
      UnsupportedFormatException.check(file, buffer.getShort(VERSION_OFFSET), VERSION);
    }
    if (bytes.length < CONFIGURATION_OFFSET + CRC_LENGTH) {
      throw corrupt(file, "too short (" + bytes.length + " bytes)");
    }
    int crcOffset = bytes.length - CRC_LENGTH;
    if (buffer.getInt(crcOffset) != crc(bytes, crcOffset)) {
      throw corrupt(file, "CRC mismatch");
    }
    if (buffer.getInt(MAGIC_OFFSET) != MAGIC) {
      throw corrupt(file, "bad magic number");
    }
    int configurationLength = buffer.getInt(CONFIGURATION_LENGTH_OFFSET);
    if (configurationLength != crcOffset - CONFIGURATION_OFFSET) {
      throw corrupt(file, "bad configuration length " + configurationLength);
    }
    if (buffer.getLong(INDEX_OFFSET) != index || buffer.getLong(TERM_OFFSET) != term) {
      throw corrupt(
          file,
          "holds index " + buffer.getLong(INDEX_OFFSET) + " and term " + buffer.getLong(TERM_OFFSET)
              + ", not those of its directory name");
    }
    SnapshotMeta snapshot;
    try {
      snapshot =
          new SnapshotMeta(
              index,
              term,
              Arrays.copyOfRange(bytes, CONFIGURATION_OFFSET, crcOffset),
              buffer.getLong(DATA_SIZE_OFFSET));
    } catch (IllegalArgumentException e) {
      throw corrupt(file, e.getMessage());
    }
    Path data = snapshotDir.resolve(DATA_FILE);
    long dataSize;
    try {
      dataSize = io.size(data);
    } catch (NoSuchFileException e) {
      throw new IOException("corrupt snapshot: data file " + data + " is missing", e);
    }
    if (dataSize != snapshot.sizeBytes()) {
      throw new IOException(
          "corrupt snapshot: data file " + data + " has " + dataSize + " bytes, its meta file says "
              + snapshot.sizeBytes());
    }
    return new Meta(snapshot, buffer.getInt(DATA_CRC_OFFSET));
  }

  private static IOException corrupt(Path file, String problem) {
    return new IOException("corrupt snapshot meta file " + file + ": " + problem);
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }
}
