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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyValueStateMachineTest {
  @TempDir Path dir;

  @Test
  void putGetAndDelete() {
    KeyValueStateMachine kv = new KeyValueStateMachine();
    kv.apply(1, KeyValueStateMachine.put("k", bytes("v1")));
    kv.apply(2, KeyValueStateMachine.put("k", bytes("v2")));
    assertThat(kv.query(KeyValueStateMachine.get("k"))).isEqualTo(found("v2"));
    assertThat(kv.apply(3, KeyValueStateMachine.delete("k"))).containsExactly(1);
    assertThat(kv.apply(4, KeyValueStateMachine.delete("k"))).containsExactly(0);
    assertThat(kv.query(KeyValueStateMachine.get("k"))).containsExactly(0);
  }

  @Test
  void snapshotAndRestoreRoundTrip() throws IOException {
    KeyValueStateMachine source = new KeyValueStateMachine();
    source.apply(1, KeyValueStateMachine.put("b", bytes("2")));
    source.apply(2, KeyValueStateMachine.put("a", bytes("1")));
    source.apply(3, KeyValueStateMachine.put("empty", new byte[0]));
    ByteArrayOutputStream image = new ByteArrayOutputStream();
    source.snapshot(image);

    KeyValueStateMachine target = new KeyValueStateMachine();
    target.apply(1, KeyValueStateMachine.put("stale", bytes("x")));
    target.restore(new ByteArrayInputStream(image.toByteArray()));

    assertThat(target.size()).isEqualTo(3);
    assertThat(target.query(KeyValueStateMachine.get("a"))).isEqualTo(found("1"));
    assertThat(target.query(KeyValueStateMachine.get("empty"))).containsExactly(1);
    assertThat(target.query(KeyValueStateMachine.get("stale"))).containsExactly(0);
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    target.snapshot(again);
    assertThat(again.toByteArray()).isEqualTo(image.toByteArray()); // same state, same bytes
  }

  @Test
  void restoreRefusesAnImageThatIsNotAKeyValueSnapshot() {
    KeyValueStateMachine kv = new KeyValueStateMachine();
    assertThatThrownBy(() -> kv.restore(new ByteArrayInputStream(new byte[] {1, 2, 3, 4})))
        .isInstanceOf(IOException.class).hasMessageContaining("magic");
  }

  @Test
  void badCommandsAreRejectedAndChangeNothing() {
    KeyValueStateMachine kv = new KeyValueStateMachine();
    kv.apply(1, KeyValueStateMachine.put("k", bytes("v")));
    assertThatThrownBy(() -> kv.apply(2, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> kv.apply(2, new byte[] {9, 0, 1, 'k'}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operation");
    assertThatThrownBy(() -> kv.apply(2, new byte[] {KeyValueStateMachine.PUT, 0, 5, 'k'}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key length");
    assertThatThrownBy(() -> kv.apply(2, new byte[] {KeyValueStateMachine.PUT, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key length");
    assertThatThrownBy(() -> kv.apply(2, KeyValueStateMachine.get("k")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyValueStateMachine.put("", bytes("v")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(kv.size()).isEqualTo(1);
    assertThat(kv.query(KeyValueStateMachine.get("k"))).isEqualTo(found("v"));
  }

  @Test
  void theCompositeRoutesByTypeByteAndSnapshotsBothParts() throws IOException {
    Path file = dir.resolve("values.log");
    ByteArrayOutputStream image = new ByteArrayOutputStream();
    try (ValuesStateMachine values = new ValuesStateMachine(file)) {
      CompositeStateMachine sm = new CompositeStateMachine(values, new KeyValueStateMachine());
      sm.apply(1, CompositeStateMachine.route(CompositeStateMachine.VALUES, ValuesStateMachine.write("a")));
      sm.apply(2, CompositeStateMachine.route(CompositeStateMachine.KEY_VALUE,
          KeyValueStateMachine.put("k", bytes("v"))));
      assertThatThrownBy(() -> sm.apply(3, new byte[] {7, 1})).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> sm.apply(3, new byte[0])).isInstanceOf(IllegalArgumentException.class);
      sm.snapshot(image);
    }
    Path restoredFile = dir.resolve("restored.log");
    try (ValuesStateMachine values = new ValuesStateMachine(restoredFile)) {
      CompositeStateMachine sm = new CompositeStateMachine(values, new KeyValueStateMachine());
      sm.restore(new ByteArrayInputStream(image.toByteArray()));
      values.publish();
      assertThat(sm.query(CompositeStateMachine.route(CompositeStateMachine.KEY_VALUE,
          KeyValueStateMachine.get("k")))).isEqualTo(found("v"));
    }
    assertThat(Files.readAllLines(restoredFile)).containsExactly("write a");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] found(String s) {
    byte[] v = bytes(s);
    byte[] r = new byte[v.length + 1];
    r[0] = 1;
    System.arraycopy(v, 0, r, 1, v.length);
    return r;
  }
}
