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

import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The byte layout of a segment file; see {@code docs/storage-format.md}. All integers are
 * big-endian.
 *
 * <pre>
 * Segment header (40 bytes):
 *   0  int32  magic 0x464C4F47 ("FLOG")
 *   4  int16  format version (2)
 *   6  int16  reserved, 0
 *   8  int64  log epoch (incremented by every reset of the log, recorded in meta)
 *  16  int64  first index (equal to the number in the file name)
 *  24  int64  directory id (the data directory's, recorded in meta and identity)
 *  32  int32  CRC32C of bytes 0..32
 *  36  int32  reserved, 0
 *
 * Record (33 + n bytes), repeated until the end of the file:
 *   0  int32  payload length n
 *   4  int32  CRC32C of bytes 0..4 and 8..33+n (everything but itself)
 *   8  int64  term
 *  16  int64  index
 *  24  int64  synced through: every byte of this segment before this offset had been forced
 *             when the record was written (the sync watermark; 0 if none yet)
 *  32  int8   entry type code
 *  33  n      payload
 * </pre>
 */
final class SegmentFormat {
  static final int MAGIC = 0x464C4F47;
  static final short VERSION = 2;

  static final int MAGIC_OFFSET = 0;
  static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
  static final int HEADER_RESERVED_OFFSET = VERSION_OFFSET + 2;
  static final int EPOCH_OFFSET = HEADER_RESERVED_OFFSET + 2;
  static final int FIRST_INDEX_OFFSET = EPOCH_OFFSET + 8;
  static final int DIRECTORY_ID_OFFSET = FIRST_INDEX_OFFSET + 8;
  static final int HEADER_CRC_OFFSET = DIRECTORY_ID_OFFSET + 8;
  static final int HEADER_SIZE = HEADER_CRC_OFFSET + 4 + 4;

  static final int LENGTH_OFFSET = 0;
  static final int CRC_OFFSET = LENGTH_OFFSET + 4;
  static final int TERM_OFFSET = CRC_OFFSET + 4;
  static final int INDEX_OFFSET = TERM_OFFSET + 8;
  static final int SYNCED_THROUGH_OFFSET = INDEX_OFFSET + 8;
  static final int TYPE_OFFSET = SYNCED_THROUGH_OFFSET + 8;
  static final int PAYLOAD_OFFSET = TYPE_OFFSET + 1;
  static final int RECORD_OVERHEAD = PAYLOAD_OFFSET;

  /** Segment files are named by their first index, padded so that names sort like indexes. */
  static final String SUFFIX = ".seg";

  private SegmentFormat() {}

  static String fileName(long firstIndex) {
    return String.format("%020d%s", firstIndex, SUFFIX);
  }

  /** Returns the first index encoded in a segment file name, or -1 if it is not one. */
  static long parseFileName(String name) {
    if (name.length() != 20 + SUFFIX.length() || !name.endsWith(SUFFIX)) {
      return -1;
    }
    for (int i = 0; i < 20; i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return -1;
      }
    }
    return Long.parseLong(name.substring(0, 20));
  }

  static ByteBuffer encodeHeader(long epoch, long firstIndex, long directoryId) {
    ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
    header.putInt(MAGIC_OFFSET, MAGIC);
    header.putShort(VERSION_OFFSET, VERSION);
    header.putLong(EPOCH_OFFSET, epoch);
    header.putLong(FIRST_INDEX_OFFSET, firstIndex);
    header.putLong(DIRECTORY_ID_OFFSET, directoryId);
    header.putInt(HEADER_CRC_OFFSET, headerCrc(header));
    return header;
  }

  static int headerCrc(ByteBuffer header) {
    CRC32C crc = new CRC32C();
    crc.update(header.duplicate().position(0).limit(HEADER_CRC_OFFSET));
    return (int) crc.getValue();
  }

  static int recordSize(LogEntry entry) {
    return RECORD_OVERHEAD + entry.data().length;
  }

  /**
   * Writes one record at the buffer's position and advances it.
   *
   * @param syncedThrough the offset of the segment up to which it was forced before this write
   */
  static void encodeRecord(LogEntry entry, long syncedThrough, ByteBuffer out) {
    int start = out.position();
    byte[] data = entry.data();
    out.putInt(start + LENGTH_OFFSET, data.length);
    out.putLong(start + TERM_OFFSET, entry.term());
    out.putLong(start + INDEX_OFFSET, entry.index());
    out.putLong(start + SYNCED_THROUGH_OFFSET, syncedThrough);
    out.put(start + TYPE_OFFSET, (byte) entry.type().code());
    out.put(start + PAYLOAD_OFFSET, data);
    out.putInt(start + CRC_OFFSET, recordCrc(out, start, data.length));
    out.position(start + RECORD_OVERHEAD + data.length);
  }

  /**
   * Computes the CRC of the record at {@code start} whose payload is {@code length} bytes. Moves
   * the buffer's position and limit over the record and puts them back, instead of taking a view
   * of it: a view per record was a twelfth of what a node allocated per entry.
   */
  static int recordCrc(ByteBuffer buffer, int start, int length) {
    CRC32C crc = new CRC32C();
    int position = buffer.position();
    int limit = buffer.limit();
    try {
      buffer.limit(start + CRC_OFFSET).position(start + LENGTH_OFFSET);
      crc.update(buffer);
      buffer.limit(start + PAYLOAD_OFFSET + length).position(start + TERM_OFFSET);
      crc.update(buffer);
    } finally {
      buffer.limit(limit).position(position);
    }
    return (int) crc.getValue();
  }

  /**
   * Checks the record at {@code start}: it lies within the buffer's limit, its CRC matches and its
   * type is known.
   *
   * @return the record's size, or a negative number if it is short ({@code -1}) or bad ({@code -2})
   */
  static int checkRecord(ByteBuffer buffer, int start) {
    int available = buffer.limit() - start;
    if (available < RECORD_OVERHEAD) {
      return -1;
    }
    int length = buffer.getInt(start + LENGTH_OFFSET);
    if (length < 0) {
      return -2;
    }
    if (length > available - RECORD_OVERHEAD) {
      return -1;
    }
    if (buffer.getInt(start + CRC_OFFSET) != recordCrc(buffer, start, length)) {
      return -2;
    }
    int code = buffer.get(start + TYPE_OFFSET);
    if (!EntryType.isKnown(code) || buffer.getLong(start + TERM_OFFSET) < 1) {
      return -2;
    }
    return RECORD_OVERHEAD + length;
  }

  static long recordIndex(ByteBuffer buffer, int start) {
    return buffer.getLong(start + INDEX_OFFSET);
  }

  static long recordSyncedThrough(ByteBuffer buffer, int start) {
    return buffer.getLong(start + SYNCED_THROUGH_OFFSET);
  }

  /** Decodes a record already checked by {@link #checkRecord}. */
  static LogEntry decodeRecord(ByteBuffer buffer, int start) {
    int length = buffer.getInt(start + LENGTH_OFFSET);
    byte[] data = new byte[length];
    buffer.get(start + PAYLOAD_OFFSET, data);
    return new LogEntry(
        buffer.getLong(start + INDEX_OFFSET),
        buffer.getLong(start + TERM_OFFSET),
        EntryType.fromCode(buffer.get(start + TYPE_OFFSET)),
        data);
  }
}
