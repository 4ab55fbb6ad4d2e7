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

import static org.assertj.core.api.Assertions.assertThat;

import dev.floe.raft.message.LogEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Log segments ({@link SegmentFormat}) against the checked-in fixtures {@code
 * fixtures/formats/log/*.seg}, which hold a record of every entry type.
 */
class SegmentFixtureTest {

  @BeforeAll
  static void regenerateIfAsked() {
    FormatFixtures.regenerateIfAsked(FormatsFixture.fixtures());
  }

  private record Decoded(long epoch, long firstIndex, long directoryId, List<LogEntry> entries,
      List<Long> watermarks) {}

  /** Decodes a segment with the store's own checks and decoder. */
  private static Decoded decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    assertThat(b.getInt(SegmentFormat.MAGIC_OFFSET)).isEqualTo(SegmentFormat.MAGIC);
    assertThat(b.getShort(SegmentFormat.VERSION_OFFSET)).isEqualTo(SegmentFormat.VERSION);
    assertThat(b.getInt(SegmentFormat.HEADER_CRC_OFFSET)).isEqualTo(SegmentFormat.headerCrc(b));
    List<LogEntry> entries = new ArrayList<>();
    List<Long> watermarks = new ArrayList<>();
    int offset = SegmentFormat.HEADER_SIZE;
    while (offset < bytes.length) {
      int size = SegmentFormat.checkRecord(b, offset);
      assertThat(size).as("the record at offset %d checks out", offset).isPositive();
      entries.add(SegmentFormat.decodeRecord(b, offset));
      watermarks.add(SegmentFormat.recordSyncedThrough(b, offset));
      offset += size;
    }
    return new Decoded(b.getLong(SegmentFormat.EPOCH_OFFSET),
        b.getLong(SegmentFormat.FIRST_INDEX_OFFSET), b.getLong(SegmentFormat.DIRECTORY_ID_OFFSET),
        entries, watermarks);
  }

  @Test
  void theCheckedInSegmentsDecodeToTheirHeadersAndEntries() {
    Decoded first = decode(FormatFixtures.read(FormatsFixture.FIRST_SEGMENT_FILE));
    Decoded second = decode(FormatFixtures.read(FormatsFixture.SECOND_SEGMENT_FILE));

    assertThat(first.epoch()).isEqualTo(FormatsFixture.EPOCH);
    assertThat(first.firstIndex()).isEqualTo(5);
    assertThat(first.directoryId()).isEqualTo(FormatsFixture.DIRECTORY_ID);
    assertThat(first.entries()).isEqualTo(FormatsFixture.FIRST_SEGMENT);
    assertThat(first.watermarks()).containsExactly(0L, 0L, 136L, 169L);
    assertThat(second.firstIndex()).isEqualTo(9);
    assertThat(second.directoryId()).isEqualTo(FormatsFixture.DIRECTORY_ID);
    assertThat(second.entries()).isEqualTo(FormatsFixture.SECOND_SEGMENT);
    assertThat(second.watermarks()).containsExactly(0L, 0L);
  }

  @Test
  void theFileNameIsTheFirstIndexInTwentyDigits() {
    assertThat(SegmentFormat.fileName(5)).isEqualTo("00000000000000000005.seg");
    assertThat(SegmentFormat.parseFileName("00000000000000000009.seg")).isEqualTo(9);
  }

  @Test
  void todaysEncoderWritesTheSameBytes() {
    for (String file : List.of(FormatsFixture.FIRST_SEGMENT_FILE,
        FormatsFixture.SECOND_SEGMENT_FILE)) {
      FormatFixtures.assertUnchanged(FormatsFixture.fixture(file), "SegmentFormat.VERSION");
    }
  }

  @Test
  void theFixturesAreOfTheVersionThisCodeWrites() {
    FormatFixtures.assertVersionsCurrent(FormatsFixture.fixtures());
  }

  /**
   * The layout read with the offsets of {@code docs/storage-format.md}, not the code's constants:
   * a 40-byte header (magic "FLOG", version 2, reserved, epoch, first index, directory id, CRC32C
   * of bytes 0-32, reserved), then records of 33 + n bytes (length n, CRC32C of all but itself,
   * term, index, synced through, type code, payload).
   */
  @Test
  void theBytesAreLaidOutAsTheStorageFormatDocumentSays() {
    byte[] bytes = FormatFixtures.read(FormatsFixture.FIRST_SEGMENT_FILE);
    ByteBuffer b = ByteBuffer.wrap(bytes);

    assertThat(b.getInt(0)).as("magic FLOG").isEqualTo(0x464C4F47);
    assertThat(b.getShort(4)).as("version").isEqualTo((short) 2);
    assertThat(b.getShort(6)).as("reserved").isZero();
    assertThat(b.getLong(8)).as("log epoch").isEqualTo(3);
    assertThat(b.getLong(16)).as("first index").isEqualTo(5);
    assertThat(b.getLong(24)).as("directory id").isEqualTo(0x0123456789ABCDEFL);
    assertThat(b.getInt(32)).as("CRC32C of 0-32").isEqualTo(crc(bytes, 0, 32));
    assertThat(b.getInt(36)).as("reserved").isZero();
    int[] types = {1, 4, 2, 3};
    int offset = 40;
    for (int i = 0; i < 4; i++) {
      int n = b.getInt(offset);
      CRC32C crc = new CRC32C();
      crc.update(bytes, offset, 4);
      crc.update(bytes, offset + 8, 25 + n);
      assertThat(b.getInt(offset + 4)).as("record %d's CRC32C", i).isEqualTo((int) crc.getValue());
      assertThat(b.getLong(offset + 8)).as("term").isEqualTo(i < 2 ? 2 : 3);
      assertThat(b.getLong(offset + 16)).as("index").isEqualTo(5 + i);
      assertThat(b.getLong(offset + 24)).as("synced through").isEqualTo(i < 2 ? 0 : offset);
      assertThat(b.get(offset + 32)).as("type code").isEqualTo((byte) types[i]);
      offset += 33 + n;
    }
    assertThat(offset).as("the file ends with the last record").isEqualTo(bytes.length);
    assertThat(new String(bytes, 73, 7, java.nio.charset.StandardCharsets.UTF_8))
        .as("the first record's payload").isEqualTo("put a=1");
  }

  private static int crc(byte[] bytes, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }
}
