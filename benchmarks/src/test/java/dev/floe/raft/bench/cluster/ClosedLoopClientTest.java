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

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two clients against a stand-in for the leader whose futures complete on a thread of its
 * own, as Floe's complete on the apply thread: which thread submits is the point of the test.
 */
class ClosedLoopClientTest {
  private static final long WARMUP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final ExecutorService completer =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "fake-apply"));
  private final FakeLeader leader = new FakeLeader();

  @AfterEach
  void stop() throws InterruptedException {
    completer.shutdownNow();
    completer.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void appClientSubmitsOnlyFromItsOwnThreadAndKeepsConcurrencyOutstanding() throws Exception {
    ClosedLoopClient client = ClosedLoopClient.create(ClientKind.APP, leader::submit);

    ClosedLoopClient.Result r = client.runNanos(8, WARMUP_NANOS, WINDOW_NANOS);

    assertThat(leader.submitThreads).containsExactly(Thread.currentThread().getName());
    assertThat(leader.maxOutstanding.get()).isEqualTo(8);
    assertThat(leader.outstanding.get()).isZero();
    assertThat(r.client()).isEqualTo(ClientKind.APP);
    assertThat(r.committed()).isPositive().isEqualTo(r.latencyNanos().getTotalCount());
    assertThat(r.committed()).isLessThan(leader.completed.get()); // the warm-up is not counted
    assertThat(r.failures()).isZero();
    assertThat(r.allocatedBytes()).isPositive();
  }

  @Test
  void inlineClientResubmitsOnTheCompletingThread() throws Exception {
    ClosedLoopClient client = ClosedLoopClient.create(ClientKind.INLINE, leader::submit);

    ClosedLoopClient.Result r = client.runNanos(4, WARMUP_NANOS, WINDOW_NANOS);

    assertThat(leader.submitThreads)
        .containsExactlyInAnyOrder(Thread.currentThread().getName(), "fake-apply");
    assertThat(leader.maxOutstanding.get()).isEqualTo(4);
    assertThat(leader.outstanding.get()).isZero();
    assertThat(r.client()).isEqualTo(ClientKind.INLINE);
    assertThat(r.committed()).isPositive();
  }

  @Test
  void failedSubmitsAreCountedAndRetriedUntilTheWindowEnds() throws Exception {
    leader.failing = true;
    ClosedLoopClient client = ClosedLoopClient.create(ClientKind.APP, leader::submit);

    ClosedLoopClient.Result r = client.runNanos(2, 0, WINDOW_NANOS);

    assertThat(r.committed()).isZero();
    assertThat(r.failures()).isPositive();
    assertThat(r.firstFailure()).contains("no leader here");
    // each slot waits 2 ms after a failure, so at most about 2 x 200 ms / 2 ms retries
    assertThat(leader.submitted.get()).isLessThan(1_000);
    assertThat(leader.outstanding.get()).isZero();
  }

  /** Completes each submit on {@code fake-apply}, counting who submits and how many are out. */
  private final class FakeLeader {
    final Set<String> submitThreads = ConcurrentHashMap.newKeySet();
    final AtomicInteger outstanding = new AtomicInteger();
    final AtomicInteger maxOutstanding = new AtomicInteger();
    final AtomicInteger submitted = new AtomicInteger();
    final AtomicInteger completed = new AtomicInteger();
    volatile boolean failing;

    CompletableFuture<?> submit(byte[] command) {
      submitThreads.add(Thread.currentThread().getName());
      submitted.incrementAndGet();
      maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
      CompletableFuture<Void> f = new CompletableFuture<>();
      completer.execute(() -> {
        outstanding.decrementAndGet();
        if (failing) {
          f.completeExceptionally(new IllegalStateException("no leader here"));
        } else {
          completed.incrementAndGet();
          f.complete(null);
        }
      });
      return f;
    }
  }
}
