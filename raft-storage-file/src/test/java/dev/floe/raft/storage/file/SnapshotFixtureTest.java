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

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.spi.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A published snapshot directory ({@link SnapshotFormat}: its name, {@code meta} and {@code data})
 * against the checked-in fixture {@code fixtures/formats/snapshots/...-...}.
 */
class SnapshotFixtureTest {
  @TempDir Path temp;

  @BeforeAll
  static void regenerateIfAsked() {
    FormatFixtures.regenerateIfAsked(FormatsFixture.fixtures());
  }

  @Test
  void theCheckedInMetaDecodesToTheSnapshotAndTheDataChecksum() throws IOException {
    Path dir = FormatFixtures.DIRECTORY.resolve(FormatsFixture.SNAPSHOT_DIR);
    long[] key = SnapshotFormat.parseDirectoryName(dir.getFileName().toString());

    SnapshotFormat.Meta meta = SnapshotFormat.readMeta(StorageIo.REAL, dir, key[0], key[1]);

    assertThat(key).containsExactly(4, 2);
    assertThat(meta.snapshot()).isEqualTo(FormatsFixture.SNAPSHOT);
    assertThat(Configuration.decode(meta.snapshot().configuration()))
        .isEqualTo(FormatsFixture.FOUNDERS);
    assertThat(meta.dataCrc()).isEqualTo(FormatsFixture.crc(FormatsFixture.SNAPSHOT_DATA));
  }

  @Test
  void theStoreOpensTheCheckedInSnapshotAndReadsItsDataThroughTheChecksum() throws IOException {
    Path snapshots = temp.resolve("snapshots");
    TestLogs.copyDirectory(FormatFixtures.DIRECTORY.resolve(FormatsFixture.DIR + "/snapshots"),
        snapshots);
    FileSnapshotStore store = new FileSnapshotStore(snapshots);

    SnapshotMeta latest = store.open().orElseThrow();
    byte[] data;
    try (InputStream in = store.open(latest, 0)) {
      data = in.readAllBytes();
    }
    store.close();

    assertThat(latest).isEqualTo(FormatsFixture.SNAPSHOT);
    assertThat(data).isEqualTo(FormatsFixture.SNAPSHOT_DATA);
  }

  @Test
  void todaysEncoderWritesTheSameBytes() {
    FormatFixtures.assertUnchanged(FormatsFixture.fixture(FormatsFixture.SNAPSHOT_META_FILE),
        "SnapshotFormat.VERSION");
    FormatFixtures.assertUnchanged(FormatsFixture.fixture(FormatsFixture.SNAPSHOT_DATA_FILE),
        "nothing: the data is the state machine's (raft-core's SessionTableFixtureTest checks it)");
    assertThat(SnapshotFormat.directoryName(4, 2))
        .isEqualTo("00000000000000000004-00000000000000000002");
  }

  /**
   * {@code meta} as {@code docs/storage-format.md} draws it: magic "FLSN", version 1 (int16),
   * reserved, index, term, data size (int64), CRC32C of the data, configuration length c (int32),
   * the configuration, and a CRC32C of bytes 0 to 40 + c.
   */
  @Test
  void metaIsLaidOutAsTheStorageFormatDocumentSays() {
    byte[] bytes = FormatFixtures.read(FormatsFixture.SNAPSHOT_META_FILE);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    int c = b.getInt(36);

    assertThat(b.getInt(0)).as("magic FLSN").isEqualTo(0x464C534E);
    assertThat(b.getShort(4)).as("version").isEqualTo((short) 1);
    assertThat(b.getShort(6)).as("reserved").isZero();
    assertThat(b.getLong(8)).as("index").isEqualTo(4);
    assertThat(b.getLong(16)).as("term").isEqualTo(2);
    assertThat(b.getLong(24)).as("data size").isEqualTo(FormatsFixture.SNAPSHOT_DATA.length);
    assertThat(b.getInt(32)).as("CRC32C of data")
        .isEqualTo(FormatsFixture.crc(FormatsFixture.SNAPSHOT_DATA));
    assertThat(java.util.Arrays.copyOfRange(bytes, 40, 40 + c))
        .isEqualTo(FormatsFixture.FOUNDERS.encode());
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, 40 + c);
    assertThat(b.getInt(40 + c)).as("CRC32C of 0 to 40+c").isEqualTo((int) crc.getValue());
    assertThat(bytes.length).isEqualTo(44 + c);
  }
}
