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
package dev.floe.raft.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.cluster.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** The entry list messages and stores are handed: immutable, copied once at most, one class. */
class LogEntriesTest {
  private static final LogEntry A = LogEntry.command(1, 1, new byte[] {1});
  private static final LogEntry B = LogEntry.command(2, 1, new byte[] {2});
  private static final LogEntry C = LogEntry.command(3, 2, new byte[] {3});

  @Test
  void aMessageKeepsALogEntriesAndCopiesAnyOtherList() {
    LogEntries built = LogEntries.builder(2).add(A).add(B).build();
    AppendRequest kept = request(built);
    assertThat(kept.entries()).isSameAs(built);

    List<LogEntry> mutable = new ArrayList<>(List.of(A, B));
    AppendRequest copied = request(mutable);
    mutable.set(0, C);
    assertThat(copied.entries()).isInstanceOf(LogEntries.class).containsExactly(A, B);
    assertThat(copied).isEqualTo(request(List.of(A, B)));
  }

  @Test
  void isImmutable() {
    List<LogEntry> l = LogEntries.copyOf(List.of(A, B));
    assertThatThrownBy(() -> l.add(C)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> l.set(0, C)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> l.remove(0)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(l::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> l.subList(0, 1).add(C))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void subListsAreViewsOfTheSameClassAndBoundsAreChecked() {
    LogEntries l = LogEntries.copyOf(List.of(A, B, C));
    LogEntries tail = l.subList(1, 3);
    assertThat(tail).containsExactly(B, C).isEqualTo(List.of(B, C));
    assertThat(tail.subList(1, 2)).containsExactly(C);
    assertThat(tail.subList(0, 0)).isEmpty();
    assertThat(l.subList(0, 3)).isSameAs(l);
    assertThat(tail.hashCode()).isEqualTo(List.of(B, C).hashCode());
    assertThatThrownBy(() -> tail.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> tail.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> l.subList(2, 4)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> l.subList(2, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    Iterator<LogEntry> it = tail.iterator();
    assertThat(it.next()).isEqualTo(B);
    assertThat(it.next()).isEqualTo(C);
    assertThat(it.hasNext()).isFalse();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void nullsAreRefused() {
    assertThatThrownBy(() -> LogEntries.copyOf(Arrays.asList(A, null)))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> LogEntries.builder(1).add(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> request(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aBuilderHoldsAtMostItsCapacityAndBuildsOnce() {
    LogEntries.Builder b = LogEntries.builder(1).add(A);
    assertThatThrownBy(() -> b.add(B)).isInstanceOf(IllegalStateException.class);
    assertThat(b.build()).containsExactly(A);
    assertThatThrownBy(() -> b.add(B)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class);
    assertThat(LogEntries.builder(4).add(A).build()).containsExactly(A).hasSize(1);
    assertThat(LogEntries.builder(0).build()).isSameAs(LogEntries.of());
    assertThatThrownBy(() -> LogEntries.builder(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void copyOfRangeCopiesTheRangeAndChecksIt() {
    LogEntry[] array = {A, B, C};
    LogEntries l = LogEntries.copyOfRange(array, 1, 3);
    array[1] = A;
    assertThat(l).containsExactly(B, C);
    assertThat(LogEntries.copyOfRange(array, 2, 2)).isSameAs(LogEntries.of());
    assertThatThrownBy(() -> LogEntries.copyOfRange(array, 2, 4))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> LogEntries.copyOfRange(new LogEntry[] {A, null}, 0, 2))
        .isInstanceOf(NullPointerException.class);
  }

  private static AppendRequest request(List<LogEntry> entries) {
    return new AppendRequest(NodeId.of("a"), NodeId.of("b"), 2, 0, 0, entries, 0, 0);
  }
}
