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
import dev.floe.raft.spi.TermAndVote;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole {@code fixtures/formats} data directory, opened by the stores as a node would open it
 * (on a copy: opening takes the lock and forces the last segment): what they report is exactly
 * what its files hold.
 */
class FormatsDirectoryFixtureTest {
  @TempDir Path temp;

  @BeforeAll
  static void regenerateIfAsked() {
    FormatFixtures.regenerateIfAsked(FormatsFixture.fixtures());
  }

  @Test
  void theLogStoreOpensTheDirectoryWithItsIdentityTermVoteAndEntries() throws Exception {
    TestLogs.copyDirectory(FormatFixtures.DIRECTORY.resolve(FormatsFixture.DIR), temp);
    FileLogStore store = new FileLogStore(temp);
    store.open();
    try {
      assertThat(store.identity()).contains(FormatsFixture.IDENTITY);
      assertThat(store.termAndVote()).isEqualTo(new TermAndVote(3, FormatsFixture.N2));
      assertThat(store.firstIndex()).isEqualTo(5);
      assertThat(store.lastIndex()).isEqualTo(10);
      assertThat(store.entries(5, 11, Long.MAX_VALUE)).isEqualTo(FormatsFixture.entries());
      for (LogEntry e : FormatsFixture.entries()) {
        assertThat(store.term(e.index())).isEqualTo(e.term());
      }
    } finally {
      store.close();
    }
  }

  @Test
  void theSnapshotStoreOpensItsSnapshots() throws IOException {
    TestLogs.copyDirectory(FormatFixtures.DIRECTORY.resolve(FormatsFixture.DIR), temp);
    FileSnapshotStore snapshots = new FileSnapshotStore(temp.resolve("snapshots"));

    assertThat(snapshots.open()).contains(FormatsFixture.SNAPSHOT);
    try (InputStream in = snapshots.open(FormatsFixture.SNAPSHOT, 0)) {
      assertThat(in.readAllBytes()).isEqualTo(FormatsFixture.SNAPSHOT_DATA);
    }
    snapshots.close();
  }
}
