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

import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop client: keeps exactly {@code concurrency} submits of one 100-byte value
 * outstanding on one node. After a warm-up it measures a window: the submits whose future
 * completes inside it, their latency (submit call to future completion) and the bytes the whole
 * JVM allocated meanwhile. Two variants differ only in which thread submits the next command:
 *
 * <ul>
 *   <li>{@link AppClient} ({@link ClientKind#APP}): one client thread owns every submit; a completion,
 *       on whatever Floe thread it runs, only records its latency and hands the slot back to that
 *       thread through a queue, as an application's own threads would. This is the figure to quote.
 *   <li>{@link InlineClient} ({@link ClientKind#INLINE}): the completion callback submits the next
 *       command itself, on Floe's thread. It saves a thread wake-up per operation, which flatters
 *       Floe (about twice the throughput on two cores), and no application works that way.
 * </ul>
 *
 * <p>Both use the same window rules: a submit counts if its future completes in
 * [warm-up end, warm-up end + window); after the window no new submit starts and the client waits
 * at most 10 s for the outstanding ones, failing the run if some are still out.
 */
abstract sealed class ClosedLoopClient permits AppClient, InlineClient {
  static final long DRAIN_TIMEOUT_MILLIS = 10_000;

  /** The leader's write path: {@code RaftNode::submit} in the benchmark. */
  @FunctionalInterface
  interface Submitter {
    CompletableFuture<?> submit(byte[] command);
  }

  /**
   * What one measured window gave.
   *
   * @param allocatedBytes bytes allocated by all live threads of this JVM during the window, or
   *     -1 if the JVM does not count them
   */
  record Result(
      ClientKind client, int concurrency, long committed, long windowNanos, Histogram latencyNanos,
      long failures, String firstFailure, long allocatedBytes) {
    double opsPerSecond() {
      return committed * 1e9 / windowNanos;
    }

    double percentileMicros(double percentile) {
      return latencyNanos.getValueAtPercentile(percentile) / 1e3;
    }

    /** Bytes allocated per committed operation in the window, or NaN if unknown. */
    double allocatedBytesPerOp() {
      return allocatedBytes < 0 || committed == 0 ? Double.NaN : (double) allocatedBytes / committed;
    }
  }

  final Submitter submitter;
  final byte[] value = new byte[MachineLimits.VALUE_BYTES];

  ClosedLoopClient(Submitter submitter) {
    this.submitter = submitter;
    new Random(42).nextBytes(value);
  }

  /** A client of the given kind on {@code submitter}. */
  static ClosedLoopClient create(ClientKind kind, Submitter submitter) {
    return switch (kind) {
      case APP -> new AppClient(submitter);
      case INLINE -> new InlineClient(submitter);
    };
  }

  abstract ClientKind kind();

  /**
   * Runs {@code warmupSeconds} then a measured window of {@code seconds}, then stops submitting
   * and drains; see the class comment.
   */
  final Result run(int concurrency, long warmupSeconds, long seconds) throws InterruptedException {
    return runNanos(concurrency, warmupSeconds * 1_000_000_000L, seconds * 1_000_000_000L);
  }

  /** As {@link #run}, with the lengths in nanoseconds. */
  final Result runNanos(int concurrency, long warmupNanos, long windowNanos)
      throws InterruptedException {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
    }
    if (warmupNanos < 0 || windowNanos <= 0) {
      throw new IllegalArgumentException("warm-up must be >= 0 and the window > 0, were "
          + warmupNanos + " ns and " + windowNanos + " ns");
    }
    return measure(concurrency, new Window(warmupNanos, windowNanos));
  }

  /**
   * Keeps {@code concurrency} submits outstanding until {@code window} ends, calling its
   * {@link Window#markStart} and {@link Window#markEnd} as it passes them, then drains.
   */
  abstract Result measure(int concurrency, Window window) throws InterruptedException;

  /** Fails the run if submits are still outstanding after the drain. */
  static void checkDrained(long outstanding) {
    if (outstanding > 0) {
      throw new IllegalStateException(outstanding + " submits still outstanding "
          + DRAIN_TIMEOUT_MILLIS + " ms after the window");
    }
  }

  /**
   * The measured window of one run: when it starts and ends, and what completed inside it. Safe
   * to call {@link #completed} and {@link #failed} from any thread.
   */
  static final class Window {
    final long startNanos;
    final long endNanos;
    private final Recorder recorder = new Recorder(3);
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private long allocatedAtStart = -1;
    private long allocatedAtEnd = -1;

    Window(long warmupNanos, long windowNanos) {
      startNanos = System.nanoTime() + warmupNanos;
      endNanos = startNanos + windowNanos;
    }

    boolean contains(long nanos) {
      return nanos - startNanos >= 0 && nanos - endNanos < 0;
    }

    /** Records a submit sent at {@code sentNanos} that completed now, if now is in the window. */
    void completed(long sentNanos) {
      long now = System.nanoTime();
      if (contains(now)) {
        recorder.recordValue(now - sentNanos);
      }
    }

    /** Counts a failed submit, if it failed in the window. */
    void failed(Throwable error) {
      if (contains(System.nanoTime())) {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, error);
      }
    }

    /** Called once by the thread that runs the window, as it sees the window start. */
    void markStart() {
      allocatedAtStart = JvmAllocation.totalBytes();
    }

    /** Called once by the thread that runs the window, as it sees the window end. */
    void markEnd() {
      allocatedAtEnd = JvmAllocation.totalBytes();
    }

    Result result(ClientKind client, int concurrency) {
      Histogram h = recorder.getIntervalHistogram();
      long allocated = allocatedAtStart < 0 || allocatedAtEnd < 0 ? -1 : allocatedAtEnd - allocatedAtStart;
      Throwable first = firstFailure.get();
      return new Result(client, concurrency, h.getTotalCount(), endNanos - startNanos, h,
          failures.get(), first == null ? "" : first.toString(), allocated);
    }
  }
}
