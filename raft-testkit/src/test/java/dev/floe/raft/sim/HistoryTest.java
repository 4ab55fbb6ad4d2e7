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

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The linearizability check against a model, on scripted histories of a counter whose commands
 * are all the same bytes ({@code inc}, answered with the new count): so no command is told apart
 * by its content, only by its index and its timing.
 */
class HistoryTest {
  private static final byte[] INC = b("inc");
  private static final byte[] GET = b("get");

  /** The counter, as a model: {@code inc} answers the new count; any query answers the count. */
  private static final class Counter implements Model {
    private long count;

    @Override
    public byte[] apply(long index, byte[] command) {
      return b(Long.toString(++count));
    }

    @Override
    public byte[] query(byte[] query) {
      return b(Long.toString(count));
    }
  }

  private static final Supplier<Model> COUNTER = Counter::new;

  private final History history = new History();
  private final NavigableMap<Long, Checker.Applied> applied = new TreeMap<>();

  private static byte[] b(String s) {
    return s.getBytes(US_ASCII);
  }

  /** An increment applied at {@code index} with {@code result}, acknowledged from t0 to t1. */
  private void inc(long index, String result, long invoked, long completed) {
    History.Write w = history.writeInvoked(INC, invoked);
    applied.put(index, new Checker.Applied(INC, b(result), 0));
    history.acknowledged(w, completed, index, b(result));
  }

  private void read(String answer, long invoked, long completed) {
    history.read(GET, b(answer), invoked, completed, "a lease read through n1");
  }

  private List<String> check() {
    return history.check(applied, COUNTER);
  }

  @Test
  void aHistoryWithOverlappingReadsAndWritesIsLinearizable() {
    inc(2, "1", 0, 10);
    read("0", 5, 8); // overlaps the first increment: before it
    read("1", 9, 12); // overlaps it too: after it
    inc(4, "2", 20, 30);
    read("2", 25, 40);
    read("2", 41, 42);
    assertThat(check()).isEmpty();
  }

  @Test
  void aReadThatMissesAnAcknowledgedWriteIsStale() {
    inc(2, "1", 0, 10);
    inc(3, "2", 11, 20);
    read("1", 21, 25);
    assertThat(check()).singleElement().asString()
        .startsWith("stale read: a lease read through n1 of \"get\" returned \"1\", the state as of"
            + " index 2, but the command at index 3 had been acknowledged before the read began");
  }

  @Test
  void aReadOfAWriteSubmittedOnlyAfterItEndedIsOfTheFuture() {
    inc(2, "1", 0, 10);
    read("2", 11, 15);
    inc(3, "2", 20, 30);
    assertThat(check()).singleElement().asString().startsWith("read of the future:")
        .contains("the state as of index 3", "first submitted only after the read had ended");
  }

  @Test
  void aReadThatNoStateAnswersMatchesNoState() {
    inc(2, "1", 0, 10);
    read("7", 11, 15);
    assertThat(check()).singleElement().asString().startsWith("read matches no state:")
        .contains("returned \"7\"");
  }

  @Test
  void readsThatGoBackInTimeAreFoundThoughEachAloneFitsItsWindow() {
    inc(2, "1", 0, 100); // a long write: both reads overlap it
    read("1", 10, 20);
    read("0", 30, 40); // began after the first read ended, yet sees an earlier state
    assertThat(check()).singleElement().asString().startsWith("read went back in time:")
        .contains("returned the state as of index 0 or earlier", "had seen index 2");
  }

  @Test
  void aResultOtherThanTheModelsIsAWrongResult() {
    inc(2, "1", 0, 10);
    inc(3, "3", 11, 20); // the state machine counted wrong
    assertThat(check()).singleElement().asString().isEqualTo("wrong result: the state machine"
        + " returned \"3\" for the command at index 3, \"inc\"; the model \"2\"");
  }

  @Test
  void anAcknowledgementWithAnotherResultThanTheStateMachinesIsAWrongResultAcknowledged() {
    inc(2, "1", 0, 10);
    History.Write w = history.writeInvoked(INC, 11);
    applied.put(3L, new Checker.Applied(INC, b("2"), 0));
    history.acknowledged(w, 20, 3, b("1")); // answered with the first one's result
    assertThat(check()).singleElement().asString().startsWith("wrong result acknowledged: the"
        + " command at index 3 was acknowledged with \"1\"");
  }

  @Test
  void aWriteAheadOfOneAcknowledgedBeforeItWasSubmittedBreaksRealTimeOrder() {
    History.Write late = history.writeInvoked(b("late"), 50);
    applied.put(2L, new Checker.Applied(b("late"), b("1"), 0));
    history.acknowledged(late, 60, 2, b("1"));
    inc(3, "2", 0, 10); // acknowledged at 10, but the command before it was submitted at 50
    assertThat(history.check(applied, null)).singleElement().asString().isEqualTo("real-time"
        + " order: the command at index 2 was first submitted after the command at index 3 was"
        + " acknowledged, yet it comes first in the log");
  }

  @Test
  void withoutAModelOnlyTheOrderOfWritesIsChecked() {
    inc(2, "1", 0, 10);
    inc(3, "3", 11, 20);
    read("9", 21, 25);
    assertThat(history.check(applied, null)).isEmpty();
  }

  @Test
  void aWriteWhoseOutcomeIsUnknownMayOrMayNotBeSeen() {
    inc(2, "1", 0, 10);
    history.writeInvoked(INC, 11); // never answered, applied at 3
    applied.put(3L, new Checker.Applied(INC, b("2"), 0));
    read("1", 12, 14);
    read("2", 15, 16);
    assertThat(check()).isEmpty();
  }
}
