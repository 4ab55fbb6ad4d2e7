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

import java.util.concurrent.CompletableFuture;

/**
 * When requests time out, in ticks of this node, oldest first: a ring of plain fields, so that a
 * request's deadline allocates nothing.
 */
final class RequestDeadlines {
  private long[] ticks = new long[64];
  private long[] requestIds = new long[64];
  private CompletableFuture<?>[] futures = new CompletableFuture<?>[64];
  private String[] whats = new String[64];
  private int head;
  private int size;

  boolean isEmpty() {
    return size == 0;
  }

  void addLast(long tick, long requestId, CompletableFuture<?> future, String what) {
    if (size == ticks.length) {
      grow();
    }
    int slot = (head + size) & (ticks.length - 1);
    ticks[slot] = tick;
    requestIds[slot] = requestId;
    futures[slot] = future;
    whats[slot] = what;
    size++;
  }

  long firstTick() {
    return ticks[head];
  }

  long firstRequestId() {
    return requestIds[head];
  }

  CompletableFuture<?> firstFuture() {
    return futures[head];
  }

  String firstWhat() {
    return whats[head];
  }

  void removeFirst() {
    futures[head] = null;
    whats[head] = null;
    head = (head + 1) & (ticks.length - 1);
    size--;
  }

  void clear() {
    while (size > 0) {
      removeFirst();
    }
    head = 0;
  }

  private void grow() {
    int capacity = ticks.length * 2;
    long[] newTicks = new long[capacity];
    long[] newIds = new long[capacity];
    CompletableFuture<?>[] newFutures = new CompletableFuture<?>[capacity];
    String[] newWhats = new String[capacity];
    for (int i = 0; i < size; i++) {
      int slot = (head + i) & (ticks.length - 1);
      newTicks[i] = ticks[slot];
      newIds[i] = requestIds[slot];
      newFutures[i] = futures[slot];
      newWhats[i] = whats[slot];
    }
    ticks = newTicks;
    requestIds = newIds;
    futures = newFutures;
    whats = newWhats;
    head = 0;
  }
}
