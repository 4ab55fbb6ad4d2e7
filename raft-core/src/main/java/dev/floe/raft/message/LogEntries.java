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

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable list of log entries: the kind of list an {@link AppendRequest} carries, and the
 * kind Floe hands a {@link dev.floe.raft.spi.LogStore} to append.
 *
 * <p>Why a list type of its own: a message keeps a {@code LogEntries} as it is, where any other
 * list is copied, so that a transport that decodes a message with a {@link Builder} and the core
 * that slices its log both hand over their entries without a further copy. And one list class on
 * the whole path, with sublists of the same class, keeps the calls on it simple for the JIT.
 *
 * <p>Elements are never null. Lists are equal to any {@link List} with equal elements in order.
 */
public final class LogEntries extends AbstractList<LogEntry> implements RandomAccess {
  private static final LogEntry[] NONE = new LogEntry[0];
  private static final LogEntries EMPTY = new LogEntries(NONE, 0, 0);

  private final LogEntry[] array;
  private final int offset;
  private final int size;

  private LogEntries(LogEntry[] array, int offset, int size) {
    this.array = array;
    this.offset = offset;
    this.size = size;
  }

  /** {@return the empty list} */
  public static LogEntries of() {
    return EMPTY;
  }

  /**
   * Returns {@code entries} as a {@code LogEntries}: the list itself if it is one, else a copy.
   *
   * @param entries the entries, none of them null
   * @return an immutable list of the same entries in the same order
   * @throws NullPointerException if {@code entries} or one of its elements is null
   */
  public static LogEntries copyOf(Collection<? extends LogEntry> entries) {
    if (entries instanceof LogEntries l) {
      return l;
    }
    return owning(entries.toArray(NONE));
  }

  /**
   * Returns a list of the entries {@code entries[from..to-1]}, copied.
   *
   * @param entries the array, whose elements in the range are not null
   * @param from the first index, inclusive
   * @param to the last index, exclusive
   * @return an immutable list of those entries in order
   * @throws IndexOutOfBoundsException if the range is not within the array
   * @throws NullPointerException if an element in the range is null
   */
  public static LogEntries copyOfRange(LogEntry[] entries, int from, int to) {
    Objects.checkFromToIndex(from, to, entries.length);
    return owning(Arrays.copyOfRange(entries, from, to));
  }

  /** Wraps {@code array}, which nobody else holds, after checking it for nulls. */
  private static LogEntries owning(LogEntry[] array) {
    if (array.length == 0) {
      return EMPTY;
    }
    for (LogEntry e : array) {
      Objects.requireNonNull(e, "entry");
    }
    return new LogEntries(array, 0, array.length);
  }

  /**
   * Returns a builder for a list of up to {@code capacity} entries.
   *
   * @param capacity how many entries the list will hold at most
   * @return a builder
   * @throws IllegalArgumentException if {@code capacity} is negative
   */
  public static Builder builder(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
    }
    return new Builder(capacity);
  }

  @Override
  public LogEntry get(int index) {
    Objects.checkIndex(index, size);
    return array[offset + index];
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean isEmpty() {
    return size == 0;
  }

  /** Returns a view of the entries {@code from..to-1}, itself a {@code LogEntries}. */
  @Override
  public LogEntries subList(int from, int to) {
    Objects.checkFromToIndex(from, to, size);
    return from == 0 && to == size ? this : new LogEntries(array, offset + from, to - from);
  }

  @Override
  public Iterator<LogEntry> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public LogEntry next() {
        if (next >= size) {
          throw new NoSuchElementException();
        }
        return array[offset + next++];
      }
    };
  }

  /**
   * Builds a {@link LogEntries} of a known largest size, without copying it at the end: for a
   * transport decoding an {@link AppendRequest}. One builder builds one list; it refuses entries
   * after {@link #build}.
   */
  public static final class Builder {
    private LogEntry[] array;
    private int size;

    private Builder(int capacity) {
      this.array = capacity == 0 ? NONE : new LogEntry[capacity];
    }

    /**
     * Adds {@code entry} at the end.
     *
     * @param entry the entry
     * @return this builder
     * @throws NullPointerException if {@code entry} is null
     * @throws IllegalStateException if the builder is full or has built its list
     */
    public Builder add(LogEntry entry) {
      Objects.requireNonNull(entry, "entry");
      if (array == null) {
        throw new IllegalStateException("this builder has built its list already");
      }
      if (size == array.length) {
        throw new IllegalStateException("this builder holds at most " + array.length + " entries");
      }
      array[size++] = entry;
      return this;
    }

    /**
     * Returns the list of the entries added, in order. The builder cannot be used after that.
     *
     * @return the list
     * @throws IllegalStateException if called twice
     */
    public LogEntries build() {
      if (array == null) {
        throw new IllegalStateException("this builder has built its list already");
      }
      LogEntries built = size == 0 ? EMPTY : new LogEntries(array, 0, size);
      array = null;
      return built;
    }
  }
}
