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
package dev.floe.raft.sim;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The simulator's register: its results tell diverged states apart; reads return the value. */
class RegisterStateMachineTest {

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, UTF_8);
  }

  @Test
  void aQueryReturnsTheLastValueAndACommandAnswersWithTheValueItReplaced() {
    RegisterStateMachine r = new RegisterStateMachine();
    assertThat(r.query(new byte[0])).isEmpty();
    assertThat(s(r.apply(1, b("a")))).matches("#[0-9a-f]{16}");
    assertThat(s(r.apply(2, b("b")))).matches("a#[0-9a-f]{16}");
    assertThat(s(r.query(new byte[0]))).isEqualTo("b");
  }

  @Test
  void theSameCommandAtTheSameIndexAnswersDifferentlyOnStatesThatDiverged() {
    RegisterStateMachine one = new RegisterStateMachine();
    RegisterStateMachine other = new RegisterStateMachine();
    one.apply(1, b("a"));
    other.apply(1, b("x"));
    one.apply(2, b("same"));
    other.apply(2, b("same")); // both now hold "same", yet their histories differ
    assertThat(one.apply(3, b("c"))).isNotEqualTo(other.apply(3, b("c")));
  }

  @Test
  void aRestoredSnapshotContinuesTheSameResults() throws IOException {
    RegisterStateMachine original = new RegisterStateMachine();
    original.apply(1, b("a"));
    original.apply(2, b("b"));
    ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
    original.snapshot(snapshot);
    RegisterStateMachine restored = new RegisterStateMachine();
    restored.restore(new ByteArrayInputStream(snapshot.toByteArray()));
    assertThat(restored.query(new byte[0])).isEqualTo(b("b"));
    assertThat(restored.apply(3, b("c"))).isEqualTo(original.apply(3, b("c")));
  }
}
