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
import static org.assertj.core.api.Assertions.assertThat;

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.spi.TermAndVote;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code identity} and {@code meta} files ({@link IdentityFile}, {@link MetaFile}) against
 * checked-in fixtures: a founder's identity and a meta file with a vote (in {@code
 * fixtures/formats}), a joiner's identity and a meta file with no vote and a pending truncation.
 */
class SmallFilesFixtureTest {

  @BeforeAll
  static void regenerateIfAsked() {
    FormatFixtures.regenerateIfAsked(FormatsFixture.fixtures());
  }

  private static Path dirOf(String file) {
    return FormatFixtures.DIRECTORY.resolve(file).getParent();
  }

  @Test
  void theCheckedInIdentitiesDecodeToTheirOwnersAndDirectoryIds() throws IOException {
    IdentityFile.Contents founder =
        IdentityFile.read(StorageIo.REAL, dirOf(FormatsFixture.IDENTITY_FILE)).orElseThrow();
    IdentityFile.Contents joiner =
        IdentityFile.read(StorageIo.REAL, dirOf(FormatsFixture.JOINER_FILE)).orElseThrow();

    assertThat(founder.identity()).isEqualTo(FormatsFixture.IDENTITY);
    assertThat(founder.identity().bootstrap().voters())
        .containsExactly(FormatsFixture.N1, FormatsFixture.N2, FormatsFixture.N3);
    assertThat(founder.directoryId()).isEqualTo(FormatsFixture.DIRECTORY_ID);
    assertThat(joiner.identity()).isEqualTo(FormatsFixture.JOINER);
    assertThat(joiner.identity().founder()).isFalse();
    assertThat(joiner.directoryId()).isEqualTo(FormatsFixture.JOINER_DIRECTORY_ID);
  }

  @Test
  void theCheckedInMetaFilesDecodeToEveryField() throws IOException {
    MetaFile.Meta meta = MetaFile.read(StorageIo.REAL, dirOf(FormatsFixture.META_FILE))
        .orElseThrow();
    MetaFile.Meta truncating =
        MetaFile.read(StorageIo.REAL, dirOf(FormatsFixture.TRUNCATING_FILE)).orElseThrow();

    assertThat(meta.termAndVote()).isEqualTo(new TermAndVote(3, FormatsFixture.N2));
    assertThat(meta.epoch()).isEqualTo(3);
    assertThat(meta.firstIndex()).isEqualTo(5);
    assertThat(meta.truncateFrom()).isZero();
    assertThat(meta.directoryId()).isEqualTo(FormatsFixture.DIRECTORY_ID);
    assertThat(truncating).isEqualTo(FormatsFixture.TRUNCATING);
    assertThat(truncating.termAndVote().votedFor()).isNull();
    assertThat(truncating.truncateFrom()).isEqualTo(8);
  }

  @Test
  void todaysEncodersWriteTheSameBytes() {
    FormatFixtures.assertUnchanged(FormatsFixture.fixture(FormatsFixture.IDENTITY_FILE),
        "IdentityFile.VERSION");
    FormatFixtures.assertUnchanged(FormatsFixture.fixture(FormatsFixture.JOINER_FILE),
        "IdentityFile.VERSION");
    FormatFixtures.assertUnchanged(FormatsFixture.fixture(FormatsFixture.META_FILE),
        "MetaFile.VERSION");
    FormatFixtures.assertUnchanged(FormatsFixture.fixture(FormatsFixture.TRUNCATING_FILE),
        "MetaFile.VERSION");
  }

  /**
   * {@code identity} as {@code docs/storage-format.md} draws it: magic "FLID", version 2, the
   * lengths c, n (int16) and b (int32), the directory id, the cluster id, the node id, the
   * bootstrap configuration ({@code Configuration.encode()}, empty for a joiner), and a CRC32C of
   * everything before it.
   */
  @Test
  void identityIsLaidOutAsTheStorageFormatDocumentSays() {
    byte[] bytes = FormatFixtures.read(FormatsFixture.IDENTITY_FILE);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    int c = b.getShort(6);
    int n = b.getShort(8);
    int bootstrap = b.getInt(10);

    assertThat(b.getInt(0)).as("magic FLID").isEqualTo(0x464C4944);
    assertThat(b.getShort(4)).as("version").isEqualTo((short) 2);
    assertThat(b.getLong(14)).as("directory id").isEqualTo(FormatsFixture.DIRECTORY_ID);
    assertThat(new String(bytes, 22, c, UTF_8)).isEqualTo("fixture-cluster");
    assertThat(new String(bytes, 22 + c, n, UTF_8)).isEqualTo("n1");
    assertThat(Configuration.decode(java.util.Arrays.copyOfRange(bytes, 22 + c + n,
        22 + c + n + bootstrap))).isEqualTo(FormatsFixture.FOUNDERS);
    assertThat(bytes.length).isEqualTo(26 + c + n + bootstrap);
    assertThat(b.getInt(22 + c + n + bootstrap)).as("CRC32C of all before")
        .isEqualTo(crc(bytes, 22 + c + n + bootstrap));
    assertThat(ByteBuffer.wrap(FormatFixtures.read(FormatsFixture.JOINER_FILE)).getInt(10))
        .as("a joiner's bootstrap length").isZero();
  }

  /**
   * {@code meta} as {@code docs/storage-format.md} draws it: magic "FLMT", version 2, vote length
   * v (int16), term, log epoch, first index, truncate from, directory id (int64 each), the vote
   * (UTF-8), and a CRC32C of everything before it.
   */
  @Test
  void metaIsLaidOutAsTheStorageFormatDocumentSays() {
    byte[] bytes = FormatFixtures.read(FormatsFixture.META_FILE);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    int v = b.getShort(6);

    assertThat(b.getInt(0)).as("magic FLMT").isEqualTo(0x464C4D54);
    assertThat(b.getShort(4)).as("version").isEqualTo((short) 2);
    assertThat(b.getLong(8)).as("term").isEqualTo(3);
    assertThat(b.getLong(16)).as("log epoch").isEqualTo(3);
    assertThat(b.getLong(24)).as("first index").isEqualTo(5);
    assertThat(b.getLong(32)).as("truncate from").isZero();
    assertThat(b.getLong(40)).as("directory id").isEqualTo(FormatsFixture.DIRECTORY_ID);
    assertThat(new String(bytes, 48, v, UTF_8)).as("votedFor").isEqualTo("n2");
    assertThat(bytes.length).isEqualTo(52 + v);
    assertThat(b.getInt(48 + v)).as("CRC32C of all before").isEqualTo(crc(bytes, 48 + v));
    ByteBuffer truncating = ByteBuffer.wrap(FormatFixtures.read(FormatsFixture.TRUNCATING_FILE));
    assertThat(truncating.getShort(6)).as("no vote").isZero();
    assertThat(truncating.getLong(32)).as("truncate from").isEqualTo(8);
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }
}
