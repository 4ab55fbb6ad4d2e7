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
package dev.floe.raft.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValuesStateMachineTest {
  @TempDir Path dir;

  @Test
  void writesOneLinePerValueInApplyOrder() throws Exception {
    Path file = dir.resolve("values.log");
    try (ValuesStateMachine sm = new ValuesStateMachine(file)) {
      sm.publish();
      sm.apply(1, ValuesStateMachine.write("a"));
      sm.apply(2, ValuesStateMachine.write("b c"));
      assertThat(Files.readAllLines(file)).containsExactly("write a", "write b c");
    }
  }

  @Test
  void aFreshInstanceRebuildsTheFileFromScratchSoAReplayWritesNoDuplicate() throws Exception {
    Path file = dir.resolve("values.log");
    try (ValuesStateMachine first = new ValuesStateMachine(file)) {
      first.publish();
      first.apply(1, ValuesStateMachine.write("a"));
      first.apply(2, ValuesStateMachine.write("b"));
    }
    // A restart: Floe re-applies the committed log from index 1 to a new state machine.
    try (ValuesStateMachine second = new ValuesStateMachine(file)) {
      second.publish();
      assertThat(Files.readAllLines(file)).isEmpty();
      second.apply(1, ValuesStateMachine.write("a"));
      second.apply(2, ValuesStateMachine.write("b"));
      second.apply(3, ValuesStateMachine.write("c"));
    }
    assertThat(Files.readAllLines(file)).containsExactly("write a", "write b", "write c");
  }

  @Test
  void aRepeatedSessionWriteIsWrittenOnceAndAnswersTheFirstIndex() throws Exception {
    Path file = dir.resolve("values.log");
    UUID client = UUID.randomUUID();
    try (ValuesStateMachine sm = new ValuesStateMachine(file)) {
      sm.publish();
      byte[] first = sm.apply(4, ValuesStateMachine.write(client, 1, "x"));
      byte[] retry = sm.apply(5, ValuesStateMachine.write(client, 1, "x"));
      sm.apply(6, ValuesStateMachine.write(client, 2, "y"));
      assertThat(ByteBuffer.wrap(first).getLong()).isEqualTo(4);
      assertThat(ByteBuffer.wrap(retry).getLong()).isEqualTo(4);
      assertThat(Files.readAllLines(file)).containsExactly("write x", "write y");
    }
  }

  @Test
  void badCommandsAreRejectedAndWriteNothing() throws Exception {
    Path file = dir.resolve("values.log");
    try (ValuesStateMachine sm = new ValuesStateMachine(file)) {
      sm.publish();
      assertThatThrownBy(() -> sm.apply(1, new byte[0])).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> sm.apply(1, ValuesStateMachine.write("")))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> sm.apply(1, ValuesStateMachine.write("two\nlines")))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> sm.apply(1, new byte[] {'W', (byte) 0xff}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UTF-8");
      assertThatThrownBy(() -> sm.apply(1, new byte[] {'Z', 'a'}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kind");
      assertThatThrownBy(() -> sm.apply(1, new byte[] {'S', 1, 2}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too short");
      assertThat(Files.size(file)).isZero();
    }
  }

  @Test
  void restoreReplacesTheFileAndTheSessionsWithTheSnapshots() throws Exception {
    UUID client = UUID.randomUUID();
    ByteArrayOutputStream image = new ByteArrayOutputStream();
    try (ValuesStateMachine source = new ValuesStateMachine(dir.resolve("a.log"))) {
      source.apply(1, ValuesStateMachine.write("a"));
      source.apply(2, ValuesStateMachine.write(client, 7, "b"));
      source.snapshot(image);
    }
    Path file = dir.resolve("b.log");
    try (ValuesStateMachine target = new ValuesStateMachine(file)) {
      target.publish();
      target.apply(1, ValuesStateMachine.write("stale"));
      target.restore(new ByteArrayInputStream(image.toByteArray()));
      target.apply(3, ValuesStateMachine.write(client, 7, "b")); // a retry: no new line
      target.apply(4, ValuesStateMachine.write("c"));
      assertThat(target.lineCount()).isEqualTo(3);
    }
    assertThat(Files.readAllLines(file)).containsExactly("write a", "write b", "write c");
  }

  @Test
  void theOldFileStaysByteForByteUntilTheRebuildIsPublished() throws Exception {
    Path file = dir.resolve("values.log");
    byte[] old = "write old\nwrite older\n".getBytes(StandardCharsets.UTF_8);
    Files.write(file, old);
    Path rebuilding = dir.resolve("values.log" + ValuesStateMachine.REBUILDING_SUFFIX);
    try (ValuesStateMachine sm = new ValuesStateMachine(file)) {
      sm.apply(1, ValuesStateMachine.write("a"));
      assertThat(Files.readAllBytes(file)).isEqualTo(old);
      assertThat(Files.readAllLines(rebuilding)).containsExactly("write a");

      sm.publish();
      sm.apply(2, ValuesStateMachine.write("b")); // lines go on to the published file
      assertThat(Files.readAllLines(file)).containsExactly("write a", "write b");
      assertThat(rebuilding).doesNotExist();
    }
  }

  @Test
  void closingBeforePublishingLeavesTheOldFileAndRemovesTheRebuild() throws Exception {
    Path file = dir.resolve("values.log");
    byte[] old = "write old\n".getBytes(StandardCharsets.UTF_8);
    Files.write(file, old);
    try (ValuesStateMachine sm = new ValuesStateMachine(file)) {
      sm.apply(1, ValuesStateMachine.write("a")); // a node whose start then fails
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(old);
    assertThat(dir.resolve("values.log" + ValuesStateMachine.REBUILDING_SUFFIX)).doesNotExist();
  }

  @Test
  void aSnapshotTakenBeforePublishingHoldsTheRebuiltLinesNotTheOldFile() throws Exception {
    Path file = dir.resolve("values.log");
    Files.writeString(file, "write old\n");
    ByteArrayOutputStream image = new ByteArrayOutputStream();
    try (ValuesStateMachine sm = new ValuesStateMachine(file)) {
      sm.apply(1, ValuesStateMachine.write("a"));
      sm.snapshot(image);
    }
    Path restored = dir.resolve("restored.log");
    try (ValuesStateMachine target = new ValuesStateMachine(restored)) {
      target.restore(new ByteArrayInputStream(image.toByteArray()));
      target.publish();
    }
    assertThat(Files.readAllLines(restored)).containsExactly("write a");
  }
}
