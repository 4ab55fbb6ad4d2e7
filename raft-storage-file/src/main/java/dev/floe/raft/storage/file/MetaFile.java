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

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.TermAndVote;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code meta} file: term and vote, the directory's id, and the markers that make structural
 * changes of the log atomic. It is only ever replaced whole (see {@link SmallFiles#replace}).
 *
 * <pre>
 *   0  int32  magic 0x464C4D54 ("FLMT")
 *   4  int16  format version (2)
 *   6  int16  length v of the vote's UTF-8 bytes, 0 if no vote
 *   8  int64  term
 *  16  int64  log epoch: segments of another epoch are left over from before a reset
 *  24  int64  first index of the log: the first segment starts there (set by compaction and
 *              reset; older segments are left over from a compaction)
 *  32  int64  pending suffix truncation: entries at or after it are void; 0 if none
 *  40  int64  directory id: the same in identity and in every segment header
 *  48  v      votedFor, UTF-8
 *  48+v int32 CRC32C of bytes 0..48+v
 * </pre>
 */
final class MetaFile {
  static final String NAME = "meta";
  static final String TEMP_NAME = "meta.tmp";
  static final int MAGIC = 0x464C4D54;
  static final short VERSION = 2;

  static final int MAGIC_OFFSET = 0;
  static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
  static final int VOTE_LENGTH_OFFSET = VERSION_OFFSET + 2;
  static final int TERM_OFFSET = VOTE_LENGTH_OFFSET + 2;
  static final int EPOCH_OFFSET = TERM_OFFSET + 8;
  static final int FIRST_INDEX_OFFSET = EPOCH_OFFSET + 8;
  static final int TRUNCATE_FROM_OFFSET = FIRST_INDEX_OFFSET + 8;
  static final int DIRECTORY_ID_OFFSET = TRUNCATE_FROM_OFFSET + 8;
  static final int VOTE_OFFSET = DIRECTORY_ID_OFFSET + 8;

  /**
   * The content of the meta file.
   *
   * @param termAndVote the saved term and vote
   * @param epoch the current log epoch
   * @param firstIndex the log's first index; segments that start before it are left-overs
   * @param truncateFrom a suffix truncation begun but maybe not finished, or 0
   * @param directoryId the id of the data directory it was written for
   */
  record Meta(
      TermAndVote termAndVote, long epoch, long firstIndex, long truncateFrom, long directoryId) {

    /** The meta file of a new directory: term 0, no vote, an empty log at index 1. */
    static Meta initial(long directoryId) {
      return new Meta(TermAndVote.INITIAL, 0, 1, 0, directoryId);
    }

    /** Whether it holds nothing but the directory id, as written when the identity is saved. */
    boolean isInitial() {
      return equals(initial(directoryId));
    }

    Meta withTermAndVote(TermAndVote value) {
      return new Meta(value, epoch, firstIndex, truncateFrom, directoryId);
    }

    Meta withFirstIndex(long index) {
      return new Meta(termAndVote, epoch, index, truncateFrom, directoryId);
    }

    Meta withTruncateFrom(long index) {
      return new Meta(termAndVote, epoch, firstIndex, index, directoryId);
    }

    /** The meta of a reset: a new epoch, an empty log at {@code nextIndex}. */
    Meta reset(long nextIndex) {
      return new Meta(termAndVote, epoch + 1, nextIndex, 0, directoryId);
    }
  }

  private MetaFile() {}

  /** Reads the meta file of {@code dir}, or returns empty if there is none. */
  static Optional<Meta> read(StorageIo io, Path dir) throws IOException {
    Path file = dir.resolve(NAME);
    byte[] bytes;
    try {
      bytes = io.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    ByteBuffer buffer = SmallFiles.checkHeader(file, bytes, MAGIC, VERSION, VOTE_OFFSET);
    int voteLength = buffer.getShort(VOTE_LENGTH_OFFSET);
    int crcOffset = VOTE_OFFSET + voteLength;
    if (voteLength < 0 || bytes.length != crcOffset + SmallFiles.CRC_LENGTH) {
      throw new CorruptLogException(file, VOTE_LENGTH_OFFSET, "bad vote length " + voteLength);
    }
    SmallFiles.checkCrc(file, bytes, crcOffset);
    try {
      NodeId vote = voteLength == 0 ? null
          : NodeId.of(new String(bytes, VOTE_OFFSET, voteLength, StandardCharsets.UTF_8));
      return Optional.of(new Meta(
          new TermAndVote(buffer.getLong(TERM_OFFSET), vote),
          buffer.getLong(EPOCH_OFFSET),
          buffer.getLong(FIRST_INDEX_OFFSET),
          buffer.getLong(TRUNCATE_FROM_OFFSET),
          buffer.getLong(DIRECTORY_ID_OFFSET)));
    } catch (IllegalArgumentException e) {
      throw new CorruptLogException(file, TERM_OFFSET, e.getMessage());
    }
  }

  static byte[] encode(Meta meta) {
    NodeId vote = meta.termAndVote().votedFor();
    byte[] voteBytes = vote == null ? new byte[0] : vote.value().getBytes(StandardCharsets.UTF_8);
    int crcOffset = VOTE_OFFSET + voteBytes.length;
    ByteBuffer buffer = ByteBuffer.allocate(crcOffset + SmallFiles.CRC_LENGTH);
    buffer.putInt(MAGIC_OFFSET, MAGIC);
    buffer.putShort(VERSION_OFFSET, VERSION);
    buffer.putShort(VOTE_LENGTH_OFFSET, (short) voteBytes.length);
    buffer.putLong(TERM_OFFSET, meta.termAndVote().term());
    buffer.putLong(EPOCH_OFFSET, meta.epoch());
    buffer.putLong(FIRST_INDEX_OFFSET, meta.firstIndex());
    buffer.putLong(TRUNCATE_FROM_OFFSET, meta.truncateFrom());
    buffer.putLong(DIRECTORY_ID_OFFSET, meta.directoryId());
    buffer.put(VOTE_OFFSET, voteBytes);
    SmallFiles.putCrc(buffer, crcOffset);
    return buffer.array();
  }

  /** Replaces the meta file of {@code dir} atomically and durably. */
  static void write(StorageIo io, Path dir, Meta meta) throws IOException {
    SmallFiles.replace(io, dir, TEMP_NAME, NAME, encode(meta));
  }
}
