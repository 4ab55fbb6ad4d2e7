package dev.floe.raft.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the log from its segment files when the store opens.
 *
 * <p>It finishes what a crash interrupted and nothing more: it removes segments left over from
 * before a reset (an older epoch) or a compaction (starting before meta's first index), a last segment whose header was never completely written, the
 * entries of a suffix truncation recorded in meta, and a torn tail, a short or bad last record of
 * the last segment that no valid record follows. Everything else that does not check out (a bad
 * record elsewhere, a broken header, an index out of sequence) is reported as a {@link
 * CorruptLogException}, so that no committed entry is ever discarded silently.
 */
final class LogRecovery {
  private static final Logger log = LoggerFactory.getLogger(LogRecovery.class);

  /** What recovery found: the index and an open channel per live segment. */
  record Result(LogIndex index, Map<Long, FileChannel> channels) {}

  private final Path logDir;
  private final StorageIo io;
  private final MetaFile.Meta meta;
  private final LogIndex index;
  private final Map<Long, FileChannel> channels = new TreeMap<>();
  private boolean directoryChanged;

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
    return new Result(recovery.index, recovery.channels);
  }

  private void run() throws IOException {
    TreeMap<Long, Path> files = listSegments();
    List<Map.Entry<Long, Path>> live = new ArrayList<>();
    for (Map.Entry<Long, Path> file : files.entrySet()) {
      if (!isStale(file.getKey(), file.getValue(), file.getKey().equals(files.lastKey()))) {
        live.add(file);
      }
    }
    long truncateFrom = meta.truncateFrom();
    long expected = -1;
    for (int i = 0; i < live.size(); i++) {
      long first = live.get(i).getKey();
      Path file = live.get(i).getValue();
      if (truncateFrom > 0 && first >= truncateFrom && !channels.isEmpty()) {
        remove(file, "it follows an interrupted suffix truncation at index " + truncateFrom);
        continue;
      }
      if (first < meta.firstIndex()) {
        remove(file, "it was compacted away (the log starts at " + meta.firstIndex() + ")");
        continue;
      }
      if (expected < 0) {
        if (first != meta.firstIndex()) {
          throw new CorruptLogException(
              file, 0, "first segment starts at " + first + " but the log starts at "
                  + meta.firstIndex() + " according to meta (is a segment missing?)");
        }
      } else if (first != expected) {
        throw new CorruptLogException(
            file, 0, "segment starts at index " + first + " but the previous one ends at "
                + (expected - 1));
      }
      boolean lastSegment = i == live.size() - 1;
      expected = scan(first, file, lastSegment, truncateFrom);
    }
    if (directoryChanged) {
      io.syncDirectory(logDir);
    }
  }

  private TreeMap<Long, Path> listSegments() throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    try (Stream<Path> paths = Files.list(logDir)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        long first = SegmentFormat.parseFileName(path.getFileName().toString());
        if (first > 0) {
          files.put(first, path);
        } else {
          log.warn("Ignoring unknown file {} in log directory", path);
        }
      }
    }
    return files;
  }

  /** Checks a segment's header; returns true (and removes the file) if it is a leftover. */
  private boolean isStale(long first, Path file, boolean lastFile) throws IOException {
    long size = Files.size(file);
    ByteBuffer header = ByteBuffer.allocate(SegmentFormat.HEADER_SIZE);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (header.hasRemaining() && channel.read(header) >= 0) {
        // keep reading
      }
    }
    header.flip();
    boolean complete = header.remaining() == SegmentFormat.HEADER_SIZE;
    if (!complete || header.getInt(SegmentFormat.HEADER_CRC_OFFSET) != SegmentFormat.headerCrc(header)) {
      if (lastFile && (!complete || isAllZero(file))) {
        remove(file, "its header was never completely written (" + size + " bytes)");
        return true;
      }
      throw new CorruptLogException(
          file, complete ? SegmentFormat.HEADER_CRC_OFFSET : size, "bad segment header");
    }
    if (header.getInt(SegmentFormat.MAGIC_OFFSET) != SegmentFormat.MAGIC) {
      throw new CorruptLogException(file, SegmentFormat.MAGIC_OFFSET, "bad magic number");
    }
    short version = header.getShort(SegmentFormat.VERSION_OFFSET);
    if (version != SegmentFormat.VERSION) {
      throw new CorruptLogException(
          file, SegmentFormat.VERSION_OFFSET, "unsupported segment format version " + version);
    }
    if (header.getLong(SegmentFormat.FIRST_INDEX_OFFSET) != first) {
      throw new CorruptLogException(
          file, SegmentFormat.FIRST_INDEX_OFFSET, "header names first index "
              + header.getLong(SegmentFormat.FIRST_INDEX_OFFSET) + ", not the file name's");
    }
    long epoch = header.getLong(SegmentFormat.EPOCH_OFFSET);
    if (epoch < meta.epoch()) {
      remove(file, "it is left over from before a reset of the log (epoch " + epoch + " < "
          + meta.epoch() + ")");
      return true;
    }
    if (epoch > meta.epoch()) {
      throw new CorruptLogException(
          file, SegmentFormat.EPOCH_OFFSET, "segment epoch " + epoch + " is newer than meta's "
              + meta.epoch());
    }
    return false;
  }

  /** Scans the records of a live segment; returns the index expected after its last record. */
  private long scan(long first, Path file, boolean lastSegment, long truncateFrom)
      throws IOException {
    ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
    index.addRecoveredSegment(first, SegmentFormat.HEADER_SIZE);
    long expected = first;
    int position = SegmentFormat.HEADER_SIZE;
    int cutAt = -1;
    while (position < data.limit()) {
      if (truncateFrom > 0 && expected >= truncateFrom) {
        cutAt = position;
        log.info("Finishing the suffix truncation at index {} in {}", truncateFrom, file);
        break;
      }
      int size = SegmentFormat.checkRecord(data, position);
      if (size > 0 && SegmentFormat.recordIndex(data, position) == expected) {
        index.addRecoveredEntry(data.getLong(position + SegmentFormat.TERM_OFFSET), position, size);
        position += size;
        expected++;
        continue;
      }
      if (zeroFrom(data, position)) {
        cutAt = position; // the zeros written ahead of the log's end (LogWriter.preallocate)
        break;
      }
      String problem = describe(data, position, size, expected);
      if (size > 0 || !lastSegment || validRecordFollows(data, position, expected)) {
        throw new CorruptLogException(file, position, problem);
      }
      log.warn("Cutting the torn tail of {} at byte offset {} ({} bytes): {}", file, position,
          data.limit() - position, problem);
      cutAt = position;
      break;
    }
    FileChannel channel =
        io.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    channels.put(first, channel);
    if (cutAt >= 0) {
      channel.truncate(cutAt);
      channel.force(true);
    }
    index.addRecoveredSegment(first, cutAt >= 0 ? cutAt : data.limit());
    return expected;
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

  /**
   * Returns whether a valid record of a later index starts anywhere after {@code position}: then
   * the bad record is not a torn tail but damage in the middle of the log.
   */
  private static boolean validRecordFollows(ByteBuffer data, int position, long expected) {
    long maxIndex = expected + (data.limit() - position) / SegmentFormat.RECORD_OVERHEAD;
    for (int p = position + 1; p + SegmentFormat.RECORD_OVERHEAD <= data.limit(); p++) {
      long candidate = SegmentFormat.recordIndex(data, p);
      if (candidate >= expected && candidate <= maxIndex && SegmentFormat.checkRecord(data, p) > 0) {
        return true;
      }
    }
    return false;
  }

  /** Whether every byte from {@code position} to the end is zero. */
  private static boolean zeroFrom(ByteBuffer data, int position) {
    for (int i = position; i < data.limit(); i++) {
      if (data.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAllZero(Path file) throws IOException {
    for (byte b : Files.readAllBytes(file)) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private void remove(Path file, String why) throws IOException {
    log.warn("Removing segment {}: {}", file, why);
    io.delete(file);
    directoryChanged = true;
  }
}
