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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.SnapshotStore;
import dev.floe.raft.spi.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client session table ({@link SessionTable}) and the snapshot data around it, against
 * checked-in fixtures. Every snapshot's data is: magic {@code FLSN} (int32), version 1 (int32),
 * the session table, then the state machine's image to the end (see {@link SnapshotTaker}). The
 * table is an int32 count, then per client, in id order: client id, sequence, index and term of
 * its last applied command (int64 each), and its result: a kind byte (0 none, 1 a value: int32
 * length and bytes, 2 a failure: its message in modified UTF-8 with an unsigned int16 length).
 *
 * <p>The table's format is versioned by the snapshot data's version. This test decodes with the
 * production readers; the snapshot data fixture is built here as {@code SnapshotTaker} writes it,
 * and raft-storage-file's data directory fixture (written by a real node) checks that writer.
 */
class SessionTableFixtureTest {
  private static final String TABLE = "session-table-v1.bin";
  private static final String SNAPSHOT_DATA = "snapshot-data-v1.bin";
  private static final int SNAPSHOT_MAGIC = 0x464C534E;
  private static final byte[] IMAGE = "the state machine's own bytes".getBytes(UTF_8);

  /** A table with each kind of result: a value, a failure, none. */
  private static SessionTable table() {
    SessionTable t = new SessionTable(SessionRequest.EXPIRY_ENTRIES);
    t.record(7, 3, 10, 2, new ApplyResult.Value("ok".getBytes(UTF_8)));
    t.record(9, 1, 11, 2, new ApplyResult.Failure(new IllegalStateException("refusé: boom")));
    t.record(11, 5, 12, 3, ApplyResult.NONE);
    return t;
  }

  private static byte[] tableBytes(SessionTable t) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      t.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Snapshot data as {@code SnapshotTaker.take} writes it. */
  private static byte[] snapshotData() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(SNAPSHOT_MAGIC);
      out.writeInt(1);
      table().writeTo(out);
      out.write(IMAGE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @BeforeAll
  static void regenerateIfAsked() {
    FormatFixtures.regenerateIfAsked(TABLE, tableBytes(table()));
    FormatFixtures.regenerateIfAsked(SNAPSHOT_DATA, snapshotData());
  }

  private static SessionTable decode(byte[] bytes) throws IOException {
    SessionTable t = new SessionTable(SessionRequest.EXPIRY_ENTRIES);
    t.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
    return t;
  }

  @Test
  void theCheckedInTableDecodesToEveryClientsLastCommandAndResult() throws IOException {
    assertTable(decode(FormatFixtures.read(TABLE)));
  }

  private static void assertTable(SessionTable t) {
    SessionTable.Last seven = t.applied(7, 3);
    assertThat(seven.index()).isEqualTo(10);
    assertThat(seven.term()).isEqualTo(2);
    assertThat(((ApplyResult.Value) seven.result()).bytes()).isEqualTo("ok".getBytes(UTF_8));
    SessionTable.Last nine = t.applied(9, 1);
    assertThat(nine.index()).isEqualTo(11);
    assertThat(((ApplyResult.Failure) nine.result()).exception())
        .as("a failure comes back as a FloeException with the message")
        .isInstanceOf(FloeException.class).hasMessage("refusé: boom");
    SessionTable.Last eleven = t.applied(11, 5);
    assertThat(eleven.term()).isEqualTo(3);
    assertThat(eleven.result()).isEqualTo(ApplyResult.NONE);
    assertThat(t.applied(7, 4)).as("a later sequence is new").isNull();
    assertThat(t.applied(8, 1)).as("an unknown client").isNull();
  }

  @Test
  void todaysEncoderWritesTheSameTable() {
    FormatFixtures.assertUnchanged(TABLE, tableBytes(table()),
        "the snapshot data version (SnapshotTaker.VERSION)");
  }

  @Test
  void aDecodedTableIsWrittenBackByteForByte() throws IOException {
    assertThat(tableBytes(decode(FormatFixtures.read(TABLE))))
        .isEqualTo(FormatFixtures.read(TABLE));
  }

  @Test
  void theTableIsLaidOutAsDescribed() {
    ByteBuffer b = ByteBuffer.wrap(FormatFixtures.read(TABLE));

    assertThat(b.getInt()).as("clients").isEqualTo(3);
    assertThat(new long[] {b.getLong(), b.getLong(), b.getLong(), b.getLong()})
        .containsExactly(7, 3, 10, 2);
    assertThat(b.get()).as("a value").isEqualTo((byte) 1);
    assertThat(b.getInt()).isEqualTo(2);
    assertThat(new byte[] {b.get(), b.get()}).isEqualTo("ok".getBytes(UTF_8));
    assertThat(new long[] {b.getLong(), b.getLong(), b.getLong(), b.getLong()})
        .containsExactly(9, 1, 11, 2);
    assertThat(b.get()).as("a failure").isEqualTo((byte) 2);
    byte[] message = new byte[Short.toUnsignedInt(b.getShort())];
    b.get(message);
    assertThat(new String(message, UTF_8)).isEqualTo("refusé: boom");
    assertThat(new long[] {b.getLong(), b.getLong(), b.getLong(), b.getLong()})
        .containsExactly(11, 5, 12, 3);
    assertThat(b.get()).as("no result").isEqualTo((byte) 0);
    assertThat(b.hasRemaining()).isFalse();
  }

  // ---------------------------------------------------------------- the snapshot data

  /** A snapshot store holding one snapshot's data, and a state machine that keeps its image. */
  private static final class OneSnapshot implements SnapshotStore, StateMachine {
    final byte[] data;
    byte[] restored;

    OneSnapshot(byte[] data) {
      this.data = data;
    }

    SnapshotMeta meta() {
      return new SnapshotMeta(12, 3, new byte[0], data.length);
    }

    @Override
    public InputStream open(SnapshotMeta snapshot, long offset) {
      return new ByteArrayInputStream(data, (int) offset, data.length - (int) offset);
    }

    @Override
    public Optional<SnapshotMeta> open() {
      return Optional.of(meta());
    }

    @Override
    public Optional<SnapshotMeta> latest() {
      return Optional.of(meta());
    }

    @Override
    public Sink begin(long index, long term, byte[] configuration) {
      throw new UnsupportedOperationException("read only");
    }

    @Override
    public void close() {}

    @Override
    public byte[] apply(long index, byte[] command) {
      throw new UnsupportedOperationException("restore only");
    }

    @Override
    public void restore(InputStream in) throws IOException {
      restored = in.readAllBytes();
    }
  }

  private static SessionTable restore(OneSnapshot s) throws IOException {
    SessionTable sessions = new SessionTable(SessionRequest.EXPIRY_ENTRIES);
    SnapshotTaker taker = new SnapshotTaker(NodeId.of("n1"),
        new SnapshotTaker.Settings(s, new SnapshotOptions(1000, 0, 4096)), s, sessions);
    taker.restore(s.meta());
    return sessions;
  }

  @Test
  void theCheckedInSnapshotDataRestoresTheTableAndTheStateMachine() throws IOException {
    OneSnapshot s = new OneSnapshot(FormatFixtures.read(SNAPSHOT_DATA));

    SessionTable sessions = restore(s);

    assertTable(sessions);
    assertThat(s.restored).as("the image, to the end").isEqualTo(IMAGE);
  }

  @Test
  void snapshotDataIsLaidOutAsDescribed() {
    byte[] data = FormatFixtures.read(SNAPSHOT_DATA);
    ByteBuffer b = ByteBuffer.wrap(data);
    byte[] table = FormatFixtures.read(TABLE);

    assertThat(b.getInt(0)).as("magic FLSN").isEqualTo(SNAPSHOT_MAGIC);
    assertThat(b.getInt(4)).as("version, an int32").isEqualTo(1);
    assertThat(ByteBuffer.wrap(data, 8, table.length)).isEqualTo(ByteBuffer.wrap(table));
    assertThat(data.length).isEqualTo(8 + table.length + IMAGE.length);
  }

  @Test
  void snapshotDataOfAnotherVersionIsRefused() {
    byte[] data = FormatFixtures.read(SNAPSHOT_DATA);
    ByteBuffer.wrap(data).putInt(4, 2);

    assertThatThrownBy(() -> restore(new OneSnapshot(data)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a Floe snapshot of a known version");
  }

  /**
   * A failure's message goes in with {@code DataOutputStream.writeUTF}, which cannot write more
   * than 65,535 bytes: an exception with a longer message (a state machine that puts its input in
   * it, say) makes {@code writeTo} throw, so every snapshot fails (the taker logs it and retries
   * after the next threshold, the log is never compacted) until that client's next command
   * replaces the entry, or the session expires a million entries later. So the table keeps the
   * first 20,000 characters of such a message and says it was cut.
   */
  @Test
  void aFailureWithAMessageOverSixtyFourKibibytesGoesIntoTheSnapshot() throws IOException {
    SessionTable t = new SessionTable(SessionRequest.EXPIRY_ENTRIES);
    String message = "x".repeat(70_000);
    t.record(9, 1, 11, 2, new ApplyResult.Failure(new IllegalArgumentException(message)));

    SessionTable back = decode(tableBytes(t));

    assertThat(back.applied(9, 1).result()).isInstanceOfSatisfying(ApplyResult.Failure.class,
        f -> assertThat(f.exception().getMessage())
            .startsWith("x".repeat(SessionTable.MAX_STORED_MESSAGE_CHARS))
            .endsWith("... (cut from 70000 chars)"));
  }
}
