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
package dev.floe.raft.bench.cluster;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The client that behaves like an application's: the thread that calls {@link #run} is the only
 * one that submits. It keeps a queue of free slots, one per outstanding submit; it takes a slot
 * (waiting at most 1 ms at a time, so that it sees the window's edges), submits, and goes back
 * for the next. A completion, on whatever thread Floe completes the future (the apply thread
 * today), records its latency and puts the slot back, which wakes the client thread: the one
 * thread hand-off per operation that any application pays. A failed submit gets its slot back
 * after 2 ms, so that a moment without a leader does not become a busy loop.
 */
final class AppClient extends ClosedLoopClient {
  private static final long MAX_POLL_NANOS = 1_000_000;
  private static final long RETRY_DELAY_MILLIS = 2;

  AppClient(Submitter submitter) {
    super(submitter);
  }

  @Override
  ClientKind kind() {
    return ClientKind.APP;
  }

  @Override
  Result measure(int concurrency, Window window) throws InterruptedException {
    ArrayBlockingQueue<Integer> free = new ArrayBlockingQueue<>(concurrency);
    for (int i = 0; i < concurrency; i++) {
      free.add(i);
    }
    Executor retryLater = CompletableFuture.delayedExecutor(RETRY_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    boolean started = false;
    while (true) {
      long now = System.nanoTime();
      if (!started && now - window.startNanos >= 0) {
        window.markStart();
        started = true;
      }
      if (now - window.endNanos >= 0) {
        break;
      }
      long edge = started ? window.endNanos : window.startNanos;
      Integer slot = free.poll(Math.min(MAX_POLL_NANOS, edge - now), TimeUnit.NANOSECONDS);
      if (slot != null) {
        submit(slot, free, window, retryLater);
      }
    }
    window.markEnd();
    checkDrained(concurrency - awaitSlots(free, concurrency));
    return window.result(kind(), concurrency);
  }

  private void submit(Integer slot, ArrayBlockingQueue<Integer> free, Window window,
      Executor retryLater) {
    long sent = System.nanoTime();
    CompletableFuture<?> future;
    try {
      future = submitter.submit(value);
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    future.whenComplete((result, error) -> {
      if (error == null) {
        window.completed(sent);
        free.offer(slot);
      } else {
        window.failed(error);
        retryLater.execute(() -> free.offer(slot));
      }
    });
  }

  /** Takes back up to {@code concurrency} slots, waiting at most the drain timeout in all. */
  private static int awaitSlots(ArrayBlockingQueue<Integer> free, int concurrency)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_TIMEOUT_MILLIS);
    int home = 0;
    while (home < concurrency) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || free.poll(left, TimeUnit.NANOSECONDS) == null) {
        break;
      }
      home++;
    }
    return home;
  }
}
