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

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.internal.core.Commands;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.StoreIdentity;
import dev.floe.raft.spi.TermAndVote;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The values of the {@code fixtures/formats} data directory, and today's encoding of each of its
 * files: every file the file store writes, small and consistent with each other, as a node that
 * took a snapshot at index 4 and went on to index 10 would hold them. Plus two standalone small
 * files for the field values the directory does not show (a joiner's identity, a meta file with
 * no vote and a pending truncation).
 *
 * <pre>
 * formats/identity                          node n1 of cluster fixture-cluster, founded by n1-n3
 * formats/meta                              term 3, vote n2, epoch 3, log from 5
 * formats/log/00000000000000000005.seg      5@2 command, 6@2 session command, 7@3 no-op,
 *                                           8@3 configuration (adds learner n4)
 * formats/log/00000000000000000009.seg      9@3 command, 10@3 empty command
 * formats/snapshots/00000000000000000004-00000000000000000002/{meta,data}
 * identity-joiner/identity                  node n4, joined (no bootstrap configuration)
 * meta-truncating/meta                      term 5, no vote, epoch 0, log from 1, truncate from 8
 * </pre>
 */
final class FormatsFixture {
  static final String DIR = "formats";
  static final long DIRECTORY_ID = 0x0123456789ABCDEFL;
  static final long EPOCH = 3;
  static final NodeId N1 = NodeId.of("n1");
  static final NodeId N2 = NodeId.of("n2");
  static final NodeId N3 = NodeId.of("n3");
  static final NodeId N4 = NodeId.of("n4");
  static final Configuration FOUNDERS = Configuration.ofVoters(List.of(N1, N2, N3));

  static final StoreIdentity IDENTITY =
      new StoreIdentity(ClusterId.of("fixture-cluster"), N1, FOUNDERS);
  static final MetaFile.Meta META =
      new MetaFile.Meta(new TermAndVote(3, N2), EPOCH, 5, 0, DIRECTORY_ID);
  static final StoreIdentity JOINER =
      new StoreIdentity(ClusterId.of("fixture-cluster"), N4, Configuration.empty());
  static final long JOINER_DIRECTORY_ID = 0xFEDCBA9876543210L;
  static final MetaFile.Meta TRUNCATING =
      new MetaFile.Meta(new TermAndVote(5, null), 0, 1, 8, JOINER_DIRECTORY_ID);

  static final List<LogEntry> FIRST_SEGMENT = List.of(
      LogEntry.command(5, 2, "put a=1".getBytes(UTF_8)),
      new LogEntry(6, 2, EntryType.SESSION_COMMAND,
          Commands.session(7, 1, "put b=2".getBytes(UTF_8))),
      LogEntry.noop(7, 3),
      new LogEntry(8, 3, EntryType.CONFIGURATION,
          FOUNDERS.withLearner(N4, "10.0.0.4:7004").encode()));
  static final List<LogEntry> SECOND_SEGMENT = List.of(
      LogEntry.command(9, 3, "put c=3".getBytes(UTF_8)),
      LogEntry.command(10, 3, new byte[0]));

  static final byte[] SNAPSHOT_DATA = snapshotData();
  static final SnapshotMeta SNAPSHOT =
      new SnapshotMeta(4, 2, FOUNDERS.encode(), SNAPSHOT_DATA.length);
  static final String SNAPSHOT_DIR =
      DIR + "/snapshots/" + SnapshotFormat.directoryName(4, 2);

  static final String IDENTITY_FILE = DIR + "/identity";
  static final String META_FILE = DIR + "/meta";
  static final String FIRST_SEGMENT_FILE = DIR + "/log/" + SegmentFormat.fileName(5);
  static final String SECOND_SEGMENT_FILE = DIR + "/log/" + SegmentFormat.fileName(9);
  static final String SNAPSHOT_META_FILE = SNAPSHOT_DIR + "/meta";
  static final String SNAPSHOT_DATA_FILE = SNAPSHOT_DIR + "/data";
  static final String JOINER_FILE = "identity-joiner/identity";
  static final String TRUNCATING_FILE = "meta-truncating/meta";

  private FormatsFixture() {}

  /** Every fixture file with today's encoding and the version it is written at. */
  static List<FormatFixtures.Fixture> fixtures() {
    String identity = "identity v" + IdentityFile.VERSION;
    String meta = "meta v" + MetaFile.VERSION;
    String segment = "segment v" + SegmentFormat.VERSION;
    String snapshot = "snapshot meta v" + SnapshotFormat.VERSION;
    return List.of(
        new FormatFixtures.Fixture(IDENTITY_FILE,
            IdentityFile.encode(new IdentityFile.Contents(IDENTITY, DIRECTORY_ID)), identity),
        new FormatFixtures.Fixture(META_FILE, MetaFile.encode(META), meta),
        new FormatFixtures.Fixture(FIRST_SEGMENT_FILE, segment(5, FIRST_SEGMENT), segment),
        new FormatFixtures.Fixture(SECOND_SEGMENT_FILE, segment(9, SECOND_SEGMENT), segment),
        new FormatFixtures.Fixture(SNAPSHOT_META_FILE,
            SnapshotFormat.encodeMeta(SNAPSHOT, crc(SNAPSHOT_DATA)), snapshot),
        new FormatFixtures.Fixture(SNAPSHOT_DATA_FILE, SNAPSHOT_DATA,
            "snapshot data (the state machine's bytes as they came)"),
        new FormatFixtures.Fixture(JOINER_FILE,
            IdentityFile.encode(new IdentityFile.Contents(JOINER, JOINER_DIRECTORY_ID)), identity),
        new FormatFixtures.Fixture(TRUNCATING_FILE, MetaFile.encode(TRUNCATING), meta));
  }

  static FormatFixtures.Fixture fixture(String path) {
    return fixtures().stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow();
  }

  /**
   * A segment as the sync thread writes one: the header, then the records. The first two records
   * were written before the segment's first force (watermark 0), each later one once everything
   * before it had been forced (watermark: its own offset).
   */
  static byte[] segment(long firstIndex, List<LogEntry> entries) {
    int size = SegmentFormat.HEADER_SIZE;
    for (LogEntry e : entries) {
      size += SegmentFormat.recordSize(e);
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(SegmentFormat.encodeHeader(EPOCH, firstIndex, DIRECTORY_ID));
    for (int i = 0; i < entries.size(); i++) {
      SegmentFormat.encodeRecord(entries.get(i), watermark(i, out.position()), out);
    }
    return out.array();
  }

  /** The watermark the {@code i}th record of a fixture segment, at {@code offset}, carries. */
  static long watermark(int i, int offset) {
    return i < 2 ? 0 : offset;
  }

  /**
   * Snapshot data, which the store keeps as the bytes came: here as raft-core's snapshot taker
   * writes them (magic {@code FLSN}, version 1, an empty session table, the state machine's image).
   */
  private static byte[] snapshotData() {
    byte[] image = "register=put a=0".getBytes(UTF_8);
    return ByteBuffer.allocate(12 + image.length).putInt(0x464C534E).putInt(1).putInt(0)
        .put(image).array();
  }

  static int crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  /** Every entry of the log, in order. */
  static List<LogEntry> entries() {
    List<LogEntry> all = new ArrayList<>(FIRST_SEGMENT);
    all.addAll(SECOND_SEGMENT);
    return all;
  }
}
