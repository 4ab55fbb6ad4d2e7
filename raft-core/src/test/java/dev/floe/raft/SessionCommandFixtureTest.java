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
package dev.floe.raft;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.floe.raft.internal.core.Commands;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The payload of a {@link EntryType#SESSION_COMMAND} entry ({@link Commands#session}): the header
 * the session table deduplicates by, in front of the application's command, as the log stores it.
 * Its version is the entry type's code (4): another layout would need another type.
 */
class SessionCommandFixtureTest {
  private static final String FIXTURE = "session-command-type4.bin";
  private static final long CLIENT = 0x0102030405060708L;
  private static final long SEQUENCE = 0x7FFFFFFF00000042L;
  private static final byte[] COMMAND = "set colour=vert".getBytes(UTF_8);

  @BeforeAll
  static void regenerateIfAsked() {
    FormatFixtures.regenerateIfAsked(FIXTURE, Commands.session(CLIENT, SEQUENCE, COMMAND));
  }

  @Test
  void theCheckedInBytesDecodeToTheSessionAndTheCommand() {
    byte[] payload = FormatFixtures.read(FIXTURE);

    assertThat(Commands.clientId(payload)).isEqualTo(CLIENT);
    assertThat(Commands.sequence(payload)).isEqualTo(SEQUENCE);
    assertThat(new LogEntry(9, 2, EntryType.SESSION_COMMAND, payload).command())
        .isEqualTo(COMMAND);
    assertThat(EntryType.SESSION_COMMAND.code()).as("the type code the log records").isEqualTo(4);
  }

  @Test
  void todaysEncoderWritesTheSameBytes() {
    FormatFixtures.assertUnchanged(FIXTURE, Commands.session(CLIENT, SEQUENCE, COMMAND),
        "the entry type (a new EntryType code)");
  }

  /** Client id (int64, big-endian), sequence (int64), then the command bytes to the end. */
  @Test
  void theBytesAreLaidOutAsDescribed() {
    ByteBuffer b = ByteBuffer.wrap(FormatFixtures.read(FIXTURE));

    assertThat(b.getLong(0)).isEqualTo(CLIENT);
    assertThat(b.getLong(8)).isEqualTo(SEQUENCE);
    assertThat(b.capacity()).isEqualTo(EntryType.SESSION_HEADER_BYTES + COMMAND.length);
    assertThat(b.get(0)).as("big-endian").isEqualTo((byte) 0x01);
  }
}
