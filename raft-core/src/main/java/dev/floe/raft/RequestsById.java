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

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Values by request id, for ids added in increasing order (a node hands them out so): two arrays
 * sorted by id, looked up by binary search, with removed slots left empty until the lowest live id
 * passes them. Unlike a {@code LinkedHashMap<Long, V>} it boxes no id and allocates no entry per
 * request, and it knows its lowest id at once. Used on the node's loop only.
 */
final class RequestsById<V> {
  private long[] ids = new long[64];
  private Object[] values = new Object[64];
  /** The slot of the lowest live id (or {@code end} if there is none). */
  private int head;
  /** The slot after the highest id added. */
  private int end;
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /**
   * Adds {@code value} under {@code id}, which must be above every id added before.
   *
   * @throws IllegalArgumentException if it is not
   */
  void put(long id, V value) {
    if (end > 0 && id <= ids[end - 1]) {
      throw new IllegalArgumentException("request id " + id + " is not above " + ids[end - 1]);
    }
    if (end == ids.length) {
      makeRoom();
    }
    ids[end] = id;
    values[end] = value;
    end++;
    size++;
  }

  boolean containsKey(long id) {
    return slotOf(id) >= 0;
  }

  /** Removes and returns the value under {@code id}, or null if there is none. */
  @SuppressWarnings("unchecked")
  V remove(long id) {
    int slot = slotOf(id);
    if (slot < 0) {
      return null;
    }
    V value = (V) values[slot];
    values[slot] = null;
    size--;
    if (size == 0) {
      head = 0;
      end = 0;
    } else {
      while (values[head] == null) {
        head++;
      }
    }
    return value;
  }

  /** The lowest id held (there must be one). */
  long firstKey() {
    if (size == 0) {
      throw new IllegalStateException("no request is held");
    }
    return ids[head];
  }

  /** Runs {@code action} for every value, lowest id first. */
  @SuppressWarnings("unchecked")
  void forEachValue(Consumer<? super V> action) {
    for (int i = head; i < end; i++) {
      if (values[i] != null) {
        action.accept((V) values[i]);
      }
    }
  }

  void clear() {
    Arrays.fill(values, head, end, null);
    head = 0;
    end = 0;
    size = 0;
  }

  /** The live slot of {@code id}, or -1. */
  private int slotOf(long id) {
    int slot = Arrays.binarySearch(ids, head, end, id);
    return slot >= 0 && values[slot] != null ? slot : -1;
  }

  /** Moves the live values to the front, into arrays twice as large if they fill half. */
  private void makeRoom() {
    int capacity = size * 2 > ids.length ? ids.length * 2 : ids.length;
    long[] newIds = capacity == ids.length ? ids : new long[capacity];
    Object[] newValues = capacity == ids.length ? values : new Object[capacity];
    int to = 0;
    for (int i = head; i < end; i++) {
      if (values[i] != null) {
        newIds[to] = ids[i];
        newValues[to] = values[i];
        to++;
      }
    }
    if (newValues == values) {
      Arrays.fill(values, to, end, null);
    }
    ids = newIds;
    values = newValues;
    head = 0;
    end = to;
  }
}
