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

import java.nio.ByteBuffer;

/**
 * Tells, for bytes that do not check out at the end of the last segment, whether a crash can
 * explain them (the writes since the last completed force, of which the disk kept any subset of
 * sectors) or whether they are damage to records that were synced.
 *
 * <p>The crash model: after a power loss, every 512-byte sector written since the last completed
 * force is on disk either as written or as it was before, and the file's size is either its old or
 * its new one. Before that force, the segment held zeros from the synced end on (the store writes
 * zeros ahead of its records and forces every truncation), so a sector that was not kept reads as
 * zeros from the synced end on. Two facts follow, and each proves damage where a crash cannot:
 *
 * <ol>
 *   <li><b>The watermark.</b> Every record carries the offset through which its segment was forced
 *       when it was written. A valid record after the bad bytes whose watermark lies beyond their
 *       start proves that they had been forced, so no crash can have changed them.
 *   <li><b>The shape.</b> A record torn by a crash is cut short by the end of the file, or holds a
 *       sector that reads as zeros from the record on. A complete record that does neither but does
 *       not check out (a flipped bit, a wrong index) is damage even with nothing written after it.
 * </ol>
 *
 * What neither can tell: damage that looks like a crash, that is, in the last synced batch when no
 * later record survived to carry a watermark past it, a synced record whose bytes were zeroed by
 * whole sectors, or whose length field was damaged so that it reaches past the end of the file
 * with no valid record after it; such a tail is cut as unsynced. Zeros that a record's payload
 * holds on its own weaken the second fact the same way.
 */
final class UnsyncedTail {
  /** The smallest unit a disk writes atomically. */
  static final int SECTOR_BYTES = 512;

  private UnsyncedTail() {}

  /**
   * Returns why the bytes from {@code position} cannot be an unsynced tail, or {@code null} if a
   * crash explains them.
   *
   * @param data the whole segment
   * @param position where the first record that does not check out starts
   * @param expected the index that record should have
   */
  static String whyDamage(ByteBuffer data, int position, long expected) {
    String evidence = watermarkBeyond(data, position, expected);
    if (evidence != null) {
      return evidence;
    }
    int available = data.limit() - position;
    if (available < SegmentFormat.RECORD_OVERHEAD) {
      return null; // a record header cut by the end of the file
    }
    int length = data.getInt(position + SegmentFormat.LENGTH_OFFSET);
    boolean fits = length >= 0 && length <= available - SegmentFormat.RECORD_OVERHEAD;
    int end = position + SegmentFormat.RECORD_OVERHEAD + (fits ? length : 0);
    if (zeroSectorWithin(data, position, end)) {
      return null;
    }
    if (length < 0) {
      return "a record with the negative length " + length;
    }
    if (!fits) {
      // Cut short by the end of the file (its new size was not kept), unless records follow.
      return validRecordFollows(data, position, expected)
          ? "a record longer than the rest of the file, with valid records after it" : null;
    }
    return "a complete record that does not check out, with no sector of zeros in it (a crash"
        + " tears a record only by sectors or at the end of the file)";
  }

  /**
   * Looks for a valid record after {@code position} whose watermark lies beyond it; returns the
   * proof, or {@code null}. Candidates are filtered on cheap fields before their CRC is computed.
   */
  private static String watermarkBeyond(ByteBuffer data, int position, long expected) {
    long maxIndex = expected + (data.limit() - position) / SegmentFormat.RECORD_OVERHEAD;
    for (int p = position + 1; p + SegmentFormat.RECORD_OVERHEAD <= data.limit(); p++) {
      long synced = SegmentFormat.recordSyncedThrough(data, p);
      long index = SegmentFormat.recordIndex(data, p);
      if (synced > position && synced <= p && index >= expected && index <= maxIndex
          && SegmentFormat.checkRecord(data, p) > 0) {
        return "the valid record of index " + index + " at byte offset " + p
            + " was written once this segment had been forced through byte offset " + synced
            + ", so these bytes were synced";
      }
    }
    return null;
  }

  /**
   * Whether a sector that meets {@code [from, to)} reads as zeros from {@code from} (or its start)
   * to its end or the file's: the trace of a sector the crash did not keep.
   */
  private static boolean zeroSectorWithin(ByteBuffer data, int from, int to) {
    for (int sector = from - from % SECTOR_BYTES; sector < to; sector += SECTOR_BYTES) {
      int start = Math.max(sector, from);
      int end = Math.min(sector + SECTOR_BYTES, data.limit());
      if (start < end && allZero(data, start, end)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a valid record of a plausible index starts after {@code position}. */
  private static boolean validRecordFollows(ByteBuffer data, int position, long expected) {
    long maxIndex = expected + (data.limit() - position) / SegmentFormat.RECORD_OVERHEAD;
    for (int p = position + 1; p + SegmentFormat.RECORD_OVERHEAD <= data.limit(); p++) {
      long index = SegmentFormat.recordIndex(data, p);
      if (index >= expected && index <= maxIndex && SegmentFormat.checkRecord(data, p) > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns whether a valid record of an index from {@code firstIndex} on, anywhere after the
   * header, was written once the segment had been forced, which its header then was too.
   */
  static boolean forcedRecordIn(ByteBuffer data, long firstIndex) {
    int end = data.limit() - SegmentFormat.RECORD_OVERHEAD;
    for (int p = SegmentFormat.HEADER_SIZE; p <= end; p++) {
      long synced = SegmentFormat.recordSyncedThrough(data, p);
      if (synced > 0 && synced <= p && SegmentFormat.recordIndex(data, p) >= firstIndex
          && SegmentFormat.checkRecord(data, p) > 0) {
        return true;
      }
    }
    return false;
  }

  static boolean allZero(ByteBuffer data, int from, int to) {
    for (int i = from; i < to; i++) {
      if (data.get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
