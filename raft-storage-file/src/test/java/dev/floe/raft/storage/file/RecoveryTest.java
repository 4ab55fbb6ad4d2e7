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

import static dev.floe.raft.storage.file.TestLogs.all;
import static dev.floe.raft.storage.file.TestLogs.await;
import static dev.floe.raft.storage.file.TestLogs.copyDirectory;
import static dev.floe.raft.storage.file.TestLogs.entries;
import static dev.floe.raft.storage.file.TestLogs.entry;
import static dev.floe.raft.storage.file.TestLogs.open;
import static dev.floe.raft.storage.file.TestLogs.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.message.LogEntry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code open()} makes of damaged files: torn tails are cut, anything else is refused. */
class RecoveryTest {
  private static final int ENTRIES = 60;

  @TempDir Path temp;

  private Path original() throws Exception {
    Path dir = temp.resolve("original");
    try (FileLogStore store = open(dir)) {
      store.append(entries(1, ENTRIES, 1));
    }
    long preallocated = Files.size(lastSegment(dir));
    // Opening again cuts the zeros written ahead of the last record, so that the file ends
    // where its last record does.
    try (FileLogStore store = open(dir)) {
      assertThat(store.lastIndex()).isEqualTo(ENTRIES);
    }
    assertThat(Files.size(lastSegment(dir))).as("zeros cut").isLessThan(preallocated);
    return dir;
  }

  private static Path lastSegment(Path dir) throws IOException {
    List<Path> segments = segments(dir);
    return segments.get(segments.size() - 1);
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(size);
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) offset] ^= 0x40;
    Files.write(file, bytes);
  }

  @Test
  void aTornLastRecordIsCutAtEveryByteOffsetAndTheLogStaysWritable() throws Exception {
    Path original = original();
    long fileSize = Files.size(lastSegment(original));
    long recordStart = fileSize - SegmentFormat.recordSize(entry(ENTRIES, 1));
    for (long cut = recordStart; cut < fileSize; cut++) {
      Path dir = temp.resolve("cut-" + cut);
      copyDirectory(original, dir);
      truncate(lastSegment(dir), cut);

      try (FileLogStore store = open(dir)) {
        assertThat(store.lastIndex()).as("cut at %d", cut).isEqualTo(ENTRIES - 1);
        assertThat(all(store)).containsExactlyElementsOf(entries(1, ENTRIES - 1, 1));
        store.append(List.of(entry(ENTRIES, 2)));
        await(store.sync());
      }
      try (FileLogStore store = open(dir)) {
        assertThat(store.entries(ENTRIES, ENTRIES + 1, 1000)).containsExactly(entry(ENTRIES, 2));
      }
      assertThat(Files.size(lastSegment(dir))).isEqualTo(fileSize);
    }
  }

  @Test
  void aFlippedByteInTheLastRecordIsRefusedThoughNoRecordFollowsIt() throws Exception {
    Path dir = original();
    Path last = lastSegment(dir);
    long fileSize = Files.size(last);
    long recordStart = fileSize - SegmentFormat.recordSize(entry(ENTRIES, 1));
    flipByte(last, fileSize - 2);

    // A crash tears a record only by whole sectors or at the end of the file; a flipped bit in a
    // complete record is damage to what was synced, though nothing written later says so.
    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining(last.getFileName().toString())
        .hasMessageContaining("offset " + recordStart)
        .satisfies(e -> assertThat(((CorruptLogException) e).offset()).isEqualTo(recordStart));
  }

  @Test
  void aFlippedByteInASyncedBatchIsRefusedByTheWatermarkOfTheBatchAfterIt() throws Exception {
    Path dir = temp.resolve("watermark");
    try (FileLogStore store = open(dir, FileLogStoreOptions.DEFAULTS, StorageIo.REAL)) {
      store.append(entries(1, 10, 1));
      await(store.sync());
      store.append(entries(11, 20, 1));
      await(store.sync());
    }
    Path segment = lastSegment(dir);
    long recordStart = SegmentFormat.HEADER_SIZE;
    for (LogEntry entry : entries(1, 9, 1)) {
      recordStart += SegmentFormat.recordSize(entry);
    }
    // Zeros from record 10 to the end of its sector look just like a sector a crash did not keep,
    // but the records after them were written once the segment had been forced past record 10.
    byte[] bytes = Files.readAllBytes(segment);
    int sectorEnd = (int) (recordStart / UnsyncedTail.SECTOR_BYTES + 1) * UnsyncedTail.SECTOR_BYTES;
    assertThat(sectorEnd).isLessThan((int) syncedEnd(entries(1, 20, 1)));
    java.util.Arrays.fill(bytes, (int) recordStart, sectorEnd, (byte) 0);
    Files.write(segment, bytes);

    assertThatThrownBy(() -> open(dir, FileLogStoreOptions.DEFAULTS, StorageIo.REAL))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining(segment.getFileName().toString())
        .hasMessageContaining("offset " + recordStart)
        .hasMessageContaining("forced through byte offset");
  }

  private static long syncedEnd(List<LogEntry> entries) {
    long end = SegmentFormat.HEADER_SIZE;
    for (LogEntry entry : entries) {
      end += SegmentFormat.recordSize(entry);
    }
    return end;
  }

  @Test
  void aFlippedByteInAnEarlierSegmentIsReportedWithFileAndOffset() throws Exception {
    Path dir = original();
    Path first = segments(dir).get(0);
    long recordStart = SegmentFormat.HEADER_SIZE + SegmentFormat.recordSize(entry(1, 1));
    flipByte(first, recordStart + SegmentFormat.PAYLOAD_OFFSET + 3);

    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining(first.getFileName().toString())
        .hasMessageContaining("offset " + recordStart)
        .satisfies(e -> assertThat(((CorruptLogException) e).offset()).isEqualTo(recordStart));
  }

  @Test
  void aRefusedLogIsLeftAsItWasFoundLeftoversIncluded() throws Exception {
    Path dir = original();
    Path first = segments(dir).get(0);
    byte[] firstBytes = Files.readAllBytes(first);
    try (FileLogStore store = open(dir)) {
      store.compactPrefix(30);
      await(store.sync());
    }
    Files.write(first, firstBytes); // a leftover of the compaction, as a crash may leave it
    Path damaged = segments(dir).get(2);
    flipByte(damaged, SegmentFormat.HEADER_SIZE + SegmentFormat.PAYLOAD_OFFSET);
    java.util.Map<Path, Long> before = sizes(dir);

    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining(damaged.getFileName().toString());
    assertThat(sizes(dir)).isEqualTo(before);
  }

  private static java.util.Map<Path, Long> sizes(Path dir) throws IOException {
    java.util.Map<Path, Long> sizes = new java.util.TreeMap<>();
    for (Path segment : segments(dir)) {
      sizes.put(segment, Files.size(segment));
    }
    return sizes;
  }

  @Test
  void aFlippedByteInTheMiddleOfTheLastSegmentIsCorruptionNotATornTail() throws Exception {
    Path dir = original();
    Path last = lastSegment(dir);
    long recordStart = SegmentFormat.HEADER_SIZE;
    flipByte(last, recordStart + SegmentFormat.TERM_OFFSET + 7);

    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining(last.getFileName().toString())
        .hasMessageContaining("offset " + recordStart);
  }

  @Test
  void aCorruptLengthFieldInTheLastSegmentDoesNotSwallowTheRecordsAfterIt() throws Exception {
    Path dir = original();
    Path last = lastSegment(dir);
    // A length pointing past the end of the file looks like a short (torn) record, but valid
    // records follow it, so it must be reported rather than cut.
    flipByte(last, SegmentFormat.HEADER_SIZE + SegmentFormat.LENGTH_OFFSET + 1);

    assertThatThrownBy(() -> open(dir)).isInstanceOf(CorruptLogException.class);
  }

  @Test
  void aDamagedSegmentHeaderIsReported() throws Exception {
    Path dir = original();
    Path first = segments(dir).get(0);
    flipByte(first, SegmentFormat.MAGIC_OFFSET);

    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining(first.getFileName().toString())
        .hasMessageContaining("header");
  }

  @Test
  void aMissingMiddleSegmentIsReportedAsAGap() throws Exception {
    Path dir = original();
    List<Path> segments = segments(dir);
    assertThat(segments).hasSizeGreaterThan(2);
    Files.delete(segments.get(1));

    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining(segments.get(2).getFileName().toString())
        .hasMessageContaining("previous one ends at");
  }

  @Test
  void aLastSegmentWhoseHeaderWasNeverWrittenIsRemoved() throws Exception {
    Path dir = original();
    Path next = dir.resolve("log").resolve(SegmentFormat.fileName(ENTRIES + 1));
    Files.write(next, new byte[SegmentFormat.HEADER_SIZE - 5]);
    try (FileLogStore store = open(dir)) {
      assertThat(store.lastIndex()).isEqualTo(ENTRIES);
      store.append(List.of(entry(ENTRIES + 1, 1)));
    }
    try (FileLogStore store = open(dir)) {
      assertThat(store.lastIndex()).isEqualTo(ENTRIES + 1);
    }
  }

  @Test
  void aCorruptMetaFileIsReported() throws Exception {
    Path dir = temp.resolve("meta");
    try (FileLogStore store = open(dir)) {
      store.saveTermAndVote(new dev.floe.raft.spi.TermAndVote(4, null));
    }
    flipByte(dir.resolve(MetaFile.NAME), MetaFile.TERM_OFFSET + 7);
    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining("meta");
  }

  @Test
  void everyRecordCutAtEveryOffsetOfASmallLogKeepsExactlyTheWholeRecordsBeforeIt()
      throws Exception {
    Path original = temp.resolve("small");
    try (FileLogStore store = open(original, FileLogStoreOptions.DEFAULTS, StorageIo.REAL)) {
      store.append(entries(1, 5, 1));
    }
    Path segment = lastSegment(original);
    long size = Files.size(segment);
    List<Long> recordEnds = new ArrayList<>();
    long end = SegmentFormat.HEADER_SIZE;
    for (LogEntry entry : entries(1, 5, 1)) {
      end += SegmentFormat.recordSize(entry);
      recordEnds.add(end);
    }
    assertThat(size).as("zeros preallocated after the records").isGreaterThan(end);
    // Every offset through the records and into the zeros after them (all of them would take
    // millions of copies of the directory; the zeros are all alike).
    for (long cut = SegmentFormat.HEADER_SIZE; cut < Math.min(size, end + 64); cut++) {
      Path dir = temp.resolve("small-" + cut);
      copyDirectory(original, dir);
      truncate(lastSegment(dir), cut);
      long whole = 0;
      for (long recordEnd : recordEnds) {
        if (recordEnd <= cut) {
          whole++;
        }
      }
      try (FileLogStore store = open(dir, FileLogStoreOptions.DEFAULTS, StorageIo.REAL)) {
        assertThat(all(store)).as("cut at %d", cut).containsExactlyElementsOf(entries(1, whole, 1));
      }
    }
  }
}
