package dev.floe.raft.storage.file;

import dev.floe.raft.NodeId;
import dev.floe.raft.spi.TermAndVote;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The {@code meta} file: term and vote, plus the markers that make structural changes of the log
 * atomic. It is only ever replaced whole: write {@code meta.tmp}, force it, rename it over {@code
 * meta} atomically, force the directory.
 *
 * <pre>
 *   0  int32  magic 0x464C4D54 ("FLMT")
 *   4  int16  format version (1)
 *   6  int16  length v of the vote's UTF-8 bytes, 0 if no vote
 *   8  int64  term
 *  16  int64  log epoch: segments of another epoch are left over from before a reset
 *  24  int64  first index of the log: the first segment starts there (set by compaction and
 *              reset; older segments are left over from a compaction)
 *  32  int64  pending suffix truncation: entries at or after it are void; 0 if none
 *  40  v      votedFor, UTF-8
 *  40+v int32 CRC32C of bytes 0..40+v
 * </pre>
 */
final class MetaFile {
  static final String NAME = "meta";
  static final String TEMP_NAME = "meta.tmp";
  static final int MAGIC = 0x464C4D54;
  static final short VERSION = 1;

  static final int MAGIC_OFFSET = 0;
  static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
  static final int VOTE_LENGTH_OFFSET = VERSION_OFFSET + 2;
  static final int TERM_OFFSET = VOTE_LENGTH_OFFSET + 2;
  static final int EPOCH_OFFSET = TERM_OFFSET + 8;
  static final int FIRST_INDEX_OFFSET = EPOCH_OFFSET + 8;
  static final int TRUNCATE_FROM_OFFSET = FIRST_INDEX_OFFSET + 8;
  static final int VOTE_OFFSET = TRUNCATE_FROM_OFFSET + 8;
  static final int CRC_LENGTH = 4;

  /**
   * The content of the meta file.
   *
   * @param termAndVote the saved term and vote
   * @param epoch the current log epoch
   * @param firstIndex the log's first index; segments that start before it are left-overs
   * @param truncateFrom a suffix truncation begun but maybe not finished, or 0
   */
  record Meta(TermAndVote termAndVote, long epoch, long firstIndex, long truncateFrom) {
    static final Meta INITIAL = new Meta(TermAndVote.INITIAL, 0, 1, 0);

    Meta withTermAndVote(TermAndVote value) {
      return new Meta(value, epoch, firstIndex, truncateFrom);
    }

    Meta withFirstIndex(long index) {
      return new Meta(termAndVote, epoch, index, truncateFrom);
    }

    Meta withTruncateFrom(long index) {
      return new Meta(termAndVote, epoch, firstIndex, index);
    }
  }

  private MetaFile() {}

  /** Reads the meta file of {@code dir}, or returns {@link Meta#INITIAL} if there is none. */
  static Meta read(Path dir) throws IOException {
    Path file = dir.resolve(NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Meta.INITIAL;
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (bytes.length < VOTE_OFFSET + CRC_LENGTH) {
      throw new CorruptLogException(file, bytes.length, "meta file is too short");
    }
    if (buffer.getInt(MAGIC_OFFSET) != MAGIC) {
      throw new CorruptLogException(file, MAGIC_OFFSET, "bad magic number in meta file");
    }
    if (buffer.getShort(VERSION_OFFSET) != VERSION) {
      throw new CorruptLogException(
          file, VERSION_OFFSET, "unsupported meta format version " + buffer.getShort(VERSION_OFFSET));
    }
    int voteLength = buffer.getShort(VOTE_LENGTH_OFFSET);
    int crcOffset = VOTE_OFFSET + voteLength;
    if (voteLength < 0 || bytes.length != crcOffset + CRC_LENGTH) {
      throw new CorruptLogException(file, VOTE_LENGTH_OFFSET, "bad vote length " + voteLength);
    }
    if (buffer.getInt(crcOffset) != crc(bytes, crcOffset)) {
      throw new CorruptLogException(file, crcOffset, "CRC mismatch in meta file");
    }
    NodeId vote = null;
    try {
      if (voteLength > 0) {
        vote = NodeId.of(new String(bytes, VOTE_OFFSET, voteLength, StandardCharsets.UTF_8));
      }
      return new Meta(
          new TermAndVote(buffer.getLong(TERM_OFFSET), vote),
          buffer.getLong(EPOCH_OFFSET),
          buffer.getLong(FIRST_INDEX_OFFSET),
          buffer.getLong(TRUNCATE_FROM_OFFSET));
    } catch (IllegalArgumentException e) {
      throw new CorruptLogException(file, TERM_OFFSET, e.getMessage());
    }
  }

  static byte[] encode(Meta meta) {
    NodeId vote = meta.termAndVote().votedFor();
    byte[] voteBytes =
        vote == null ? new byte[0] : vote.value().getBytes(StandardCharsets.UTF_8);
    int crcOffset = VOTE_OFFSET + voteBytes.length;
    ByteBuffer buffer = ByteBuffer.allocate(crcOffset + CRC_LENGTH);
    buffer.putInt(MAGIC_OFFSET, MAGIC);
    buffer.putShort(VERSION_OFFSET, VERSION);
    buffer.putShort(VOTE_LENGTH_OFFSET, (short) voteBytes.length);
    buffer.putLong(TERM_OFFSET, meta.termAndVote().term());
    buffer.putLong(EPOCH_OFFSET, meta.epoch());
    buffer.putLong(FIRST_INDEX_OFFSET, meta.firstIndex());
    buffer.putLong(TRUNCATE_FROM_OFFSET, meta.truncateFrom());
    buffer.put(VOTE_OFFSET, voteBytes);
    buffer.putInt(crcOffset, crc(buffer.array(), crcOffset));
    return buffer.array();
  }

  /** Replaces the meta file of {@code dir} atomically and durably. */
  static void write(StorageIo io, Path dir, Meta meta) throws IOException {
    Path temp = dir.resolve(TEMP_NAME);
    try (FileChannel channel =
        io.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(encode(meta));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    io.moveAtomically(temp, dir.resolve(NAME));
    io.syncDirectory(dir);
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }
}
