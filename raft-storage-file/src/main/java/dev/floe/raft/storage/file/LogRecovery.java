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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the log from its segment files when the store opens.
 *
 * <p>It finishes what a crash interrupted and nothing more: it removes segments left over from
 * before a reset (an older epoch) or a compaction (starting before meta's first index), a last
 * segment whose header never reached the disk, the entries of a suffix truncation recorded in
 * meta, and the unsynced tail of the last segment (see {@link UnsyncedTail} for how it is told from
 * damage). Everything else that does not check out (a bad record elsewhere, a broken header, an
 * index out of sequence) is reported as a {@link CorruptLogException}, a segment of another
 * directory as an {@link InconsistentStoreException}, one of a newer format as an {@link
 * UnsupportedFormatException}, so that no committed entry is ever discarded silently.
 *
 * <p>The last segment is forced once recovered: its records may have been read from the page
 * cache of a process that died, and the records written next claim them as synced.
 */
final class LogRecovery {
  private static final Logger log = LoggerFactory.getLogger(LogRecovery.class);

  /**
   * What recovery found: the index, an open channel per live segment, and the last segment with
   * the offset through which it is forced (its end), or null if there is none.
   */
  record Result(
      LogIndex index, Map<Long, FileChannel> channels, Map.Entry<Long, Long> lastSegment) {}

  /** What a segment's header says about it. */
  private enum Header { LIVE, STALE, BLANK }

  private final Path logDir;
  private final StorageIo io;
  private final MetaFile.Meta meta;
  private final LogIndex index;
  private final Map<Long, FileChannel> channels = new TreeMap<>();
  /** What recovery changes, done only once every segment checked out: files to remove, why. */
  private final Map<Path, String> removals = new TreeMap<>();
  /** Segments to truncate, and where. */
  private final Map<Long, Integer> cuts = new TreeMap<>();
  private Map.Entry<Long, Long> lastScanned;

  private LogRecovery(Path logDir, StorageIo io, MetaFile.Meta meta) {
    this.logDir = logDir;
    this.io = io;
    this.meta = meta;
    this.index = new LogIndex(meta.firstIndex());
  }

  /** Recovers the segments of {@code logDir} under {@code meta}. */
  static Result recover(Path logDir, StorageIo io, MetaFile.Meta meta) throws IOException {
    LogRecovery recovery = new LogRecovery(logDir, io, meta);
    try {
      recovery.run();
    } catch (IOException | RuntimeException e) {
      for (FileChannel channel : recovery.channels.values()) {
        channel.close();
      }
      throw e;
    }
    return new Result(recovery.index, recovery.channels, recovery.lastScanned);
  }

  private void run() throws IOException {
    List<Map.Entry<Long, Path>> live = liveSegments(listSegments());
    long truncateFrom = meta.truncateFrom();
    long expected = -1;
    for (int i = 0; i < live.size(); i++) {
      long first = live.get(i).getKey();
      Path file = live.get(i).getValue();
      if (truncateFrom > 0 && first >= truncateFrom && expected >= 0) {
        remove(file, "it follows an interrupted suffix truncation at index " + truncateFrom);
        continue;
      }
      if (first < meta.firstIndex()) {
        remove(file, "it was compacted away (the log starts at " + meta.firstIndex() + ")");
        continue;
      }
      checkSequence(first, file, expected);
      // Only the last file may hold an unsynced tail: each was forced before the next began.
      expected = scan(first, file, truncateFrom, i == live.size() - 1);
    }
    applyChanges();
  }

  /** Everything checked out: cuts the segments, removes the leftovers. */
  private void applyChanges() throws IOException {
    for (Map.Entry<Long, Integer> cut : cuts.entrySet()) {
      channels.get(cut.getKey()).truncate(cut.getValue());
    }
    if (lastScanned != null) {
      channels.get(lastScanned.getKey()).force(true); // what was read, durable before it is claimed
    }
    for (Map.Entry<Path, String> removal : removals.entrySet()) {
      log.warn("Removing segment {}: {}", removal.getKey(), removal.getValue());
      io.delete(removal.getKey());
    }
    if (!removals.isEmpty()) {
      io.syncDirectory(logDir);
    }
  }

  private void checkSequence(long first, Path file, long expected) throws CorruptLogException {
    if (expected < 0 && first != meta.firstIndex()) {
      throw new CorruptLogException(file, 0, "first segment starts at " + first
          + " but the log starts at " + meta.firstIndex() + " according to meta (is a segment"
          + " missing?)");
    }
    if (expected >= 0 && first != expected) {
      throw new CorruptLogException(file, 0, "segment starts at index " + first
          + " but the previous one ends at " + (expected - 1));
    }
  }

  private TreeMap<Long, Path> listSegments() throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    for (Path path : io.list(logDir)) {
      long first = SegmentFormat.parseFileName(path.getFileName().toString());
      if (first > 0) {
        files.put(first, path);
      } else {
        log.warn("Ignoring unknown file {} in log directory", path);
      }
    }
    return files;
  }

  /**
   * Checks every header, then removes the leftovers of older epochs and a last segment whose
   * header never reached the disk, and returns the others in index order.
   */
  private List<Map.Entry<Long, Path>> liveSegments(TreeMap<Long, Path> files) throws IOException {
    List<Map.Entry<Long, Path>> live = new ArrayList<>();
    List<Map.Entry<Long, Path>> blank = new ArrayList<>();
    List<Path> stale = new ArrayList<>();
    for (Map.Entry<Long, Path> file : files.entrySet()) {
      Header header = checkHeader(file.getKey(), file.getValue());
      if (header == Header.STALE) {
        stale.add(file.getValue());
      } else if (header == Header.BLANK) {
        blank.add(file);
      } else {
        if (!blank.isEmpty()) {
          throw new CorruptLogException(blank.get(0).getValue(), 0, "bad segment header: all"
              + " zeros or incomplete, in a segment that later segments follow");
        }
        live.add(file);
      }
    }
    if (blank.size() > 1) {
      throw new CorruptLogException(blank.get(0).getValue(), 0,
          "bad segment header: all zeros or incomplete, and so is the next segment's");
    }
    for (Map.Entry<Long, Path> file : blank) {
      checkNeverSynced(file.getKey(), file.getValue());
    }
    for (Path file : stale) {
      remove(file, "it is left over from before a reset of the log (its epoch is older than "
          + meta.epoch() + ")");
    }
    for (Map.Entry<Long, Path> file : blank) {
      remove(file.getValue(), "its header never reached the disk (none of it was synced)");
    }
    return live;
  }

  /**
   * A last segment whose header reads as zeros or is cut short was never forced, unless one of its
   * records proves it was: then it held synced records, and its header is damage.
   */
  private void checkNeverSynced(long first, Path file) throws IOException {
    ByteBuffer data = ByteBuffer.wrap(io.readAllBytes(file));
    if (UnsyncedTail.forcedRecordIn(data, first)) {
      throw new CorruptLogException(file, 0, "bad segment header: all zeros or incomplete, but a"
          + " record in it was written after the segment was forced");
    }
  }

  /** Checks a segment's header and says what it is; removes nothing. */
  private Header checkHeader(long first, Path file) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(SegmentFormat.HEADER_SIZE);
    try (FileChannel channel = io.open(file, StandardOpenOption.READ)) {
      while (header.hasRemaining() && channel.read(header, header.position()) >= 0) {
        // keep reading
      }
    }
    header.flip();
    if (header.remaining() < SegmentFormat.HEADER_SIZE
        || UnsyncedTail.allZero(header, 0, SegmentFormat.HEADER_SIZE)) {
      return Header.BLANK;
    }
    if (header.getInt(SegmentFormat.MAGIC_OFFSET) != SegmentFormat.MAGIC) {
      throw new CorruptLogException(file, SegmentFormat.MAGIC_OFFSET,
          "bad segment header: bad magic number");
    }
    UnsupportedFormatException.check(
        file, header.getShort(SegmentFormat.VERSION_OFFSET), SegmentFormat.VERSION);
    if (header.getInt(SegmentFormat.HEADER_CRC_OFFSET) != SegmentFormat.headerCrc(header)) {
      throw new CorruptLogException(file, SegmentFormat.HEADER_CRC_OFFSET,
          "bad segment header: CRC mismatch");
    }
    if (header.getLong(SegmentFormat.FIRST_INDEX_OFFSET) != first) {
      throw new CorruptLogException(file, SegmentFormat.FIRST_INDEX_OFFSET, "segment header names"
          + " first index " + header.getLong(SegmentFormat.FIRST_INDEX_OFFSET)
          + ", not the file name's");
    }
    long directoryId = header.getLong(SegmentFormat.DIRECTORY_ID_OFFSET);
    if (directoryId != meta.directoryId()) {
      throw new InconsistentStoreException(file, "belongs to directory "
          + DataDirectory.format(directoryId), "this directory is "
          + DataDirectory.format(meta.directoryId()) + " (its meta and identity say so): the"
          + " segment was copied from another node's directory");
    }
    return epochOf(file, header.getLong(SegmentFormat.EPOCH_OFFSET));
  }

  private Header epochOf(Path file, long epoch) throws IOException {
    if (epoch < meta.epoch()) {
      return Header.STALE;
    }
    if (epoch > meta.epoch()) {
      throw new CorruptLogException(file, SegmentFormat.EPOCH_OFFSET, "segment epoch " + epoch
          + " is newer than meta's " + meta.epoch());
    }
    return Header.LIVE;
  }

  /** Scans the records of a live segment; returns the index expected after its last record. */
  private long scan(long first, Path file, long truncateFrom, boolean lastSegment)
      throws IOException {
    ByteBuffer data = ByteBuffer.wrap(io.readAllBytes(file));
    index.addRecoveredSegment(first, SegmentFormat.HEADER_SIZE);
    long expected = first;
    int position = SegmentFormat.HEADER_SIZE;
    int cutAt = -1;
    while (position < data.limit()) {
      if (truncateFrom > 0 && expected >= truncateFrom) {
        log.info("Finishing the suffix truncation at index {} in {}", truncateFrom, file);
        cutAt = position;
        break;
      }
      int size = SegmentFormat.checkRecord(data, position);
      if (size > 0 && SegmentFormat.recordIndex(data, position) == expected) {
        checkWatermark(file, data, position);
        index.addRecoveredEntry(data.getLong(position + SegmentFormat.TERM_OFFSET), position, size);
        position += size;
        expected++;
        continue;
      }
      endOfRecords(file, data, position, expected, size, lastSegment);
      cutAt = position;
      break;
    }
    channels.put(first, io.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
    if (cutAt >= 0) {
      cuts.put(first, cutAt);
    }
    long end = cutAt >= 0 ? cutAt : data.limit();
    index.addRecoveredSegment(first, end);
    lastScanned = Map.entry(first, end);
    return expected;
  }

  /** A record's watermark never lies beyond its own offset; if it does, it is not ours. */
  private static void checkWatermark(Path file, ByteBuffer data, int position)
      throws CorruptLogException {
    long synced = SegmentFormat.recordSyncedThrough(data, position);
    if (synced < 0 || synced > position) {
      throw new CorruptLogException(file, position, "record claims its segment was synced"
          + " through byte offset " + synced + ", beyond the record itself");
    }
  }

  /**
   * The records of a segment end at {@code position}: at the zeros written ahead of them, at the
   * unsynced tail of the last segment, or else at damage, which is thrown.
   */
  private static void endOfRecords(Path file, ByteBuffer data, int position, long expected,
      int size, boolean lastSegment) throws CorruptLogException {
    if (UnsyncedTail.allZero(data, position, data.limit())) {
      return; // the zeros written ahead of the log's end (LogWriter.preallocate)
    }
    String problem = describe(data, position, size, expected);
    if (!lastSegment) {
      throw new CorruptLogException(file, position, problem + " in a segment that later segments"
          + " follow, so it was synced");
    }
    String damage = UnsyncedTail.whyDamage(data, position, expected);
    if (damage != null) {
      throw new CorruptLogException(file, position, problem + ": " + damage);
    }
    log.warn("Cutting the unsynced tail of {} at byte offset {} ({} bytes): {}", file, position,
        data.limit() - position, problem);
  }

  private static String describe(ByteBuffer data, int position, int size, long expected) {
    if (size == -1) {
      return "short record (" + (data.limit() - position) + " bytes left)";
    }
    if (size == -2) {
      return "bad record (CRC mismatch or invalid field)";
    }
    return "record has index " + SegmentFormat.recordIndex(data, position) + ", expected "
        + expected;
  }

  /** Removes {@code file} once every segment checked out. */
  private void remove(Path file, String why) {
    removals.put(file, why);
  }
}
