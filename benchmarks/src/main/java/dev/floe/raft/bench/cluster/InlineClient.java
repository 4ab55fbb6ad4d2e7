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

import dev.floe.raft.NodeStoppedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The variant that resubmits from the completion callback: the calling thread submits the first
 * {@code concurrency} commands and then only watches the clock; each completion, on the thread
 * where Floe completes the future (the apply thread today), records its latency and submits the
 * next command right there. That saves the wake-up of a client thread per operation, which an
 * application does not save, so its figures flatter Floe; it stays as a labelled variant to
 * show the cost of that hand-off. A failed submit is resubmitted after 2 ms.
 */
final class InlineClient extends ClosedLoopClient {
  private static final long RETRY_DELAY_MILLIS = 2;
  private final Executor retryLater =
      CompletableFuture.delayedExecutor(RETRY_DELAY_MILLIS, TimeUnit.MILLISECONDS);

  InlineClient(Submitter submitter) {
    super(submitter);
  }

  @Override
  ClientKind kind() {
    return ClientKind.INLINE;
  }

  @Override
  Result measure(int concurrency, Window window) throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      submitOne(window, stop, stopped);
    }
    sleepUntil(window.startNanos);
    window.markStart();
    sleepUntil(window.endNanos);
    window.markEnd();
    stop.set(true);
    if (!stopped.await(DRAIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
      checkDrained(stopped.getCount());
    }
    return window.result(kind(), concurrency);
  }

  private void submitOne(Window window, AtomicBoolean stop, CountDownLatch stopped) {
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
      } else {
        window.failed(error);
      }
      if (stop.get() || isNodeStopped(error)) {
        stopped.countDown();
      } else if (error == null) {
        submitOne(window, stop, stopped);
      } else {
        retryLater.execute(() -> submitOne(window, stop, stopped));
      }
    });
  }

  private static boolean isNodeStopped(Throwable error) {
    return error instanceof NodeStoppedException
        || error != null && error.getCause() instanceof NodeStoppedException;
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    for (long left = nanos - System.nanoTime(); left > 0; left = nanos - System.nanoTime()) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
