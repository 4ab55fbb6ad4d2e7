package dev.floe.raft.bench.cluster;

import dev.floe.raft.NodeStoppedException;
import dev.floe.raft.RaftNode;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop client: keeps exactly {@code concurrency} submits of 100-byte values outstanding
 * on one node, submitting the next one as soon as one completes. After a warm-up it measures a
 * window: the submits that complete in it and their latency (submit call to future completion).
 *
 * <p>Completions run on the node's event loop (that is where its futures complete); the client
 * records the latency into a wait-free {@link Recorder} and calls {@code submit} again there, which
 * only enqueues. This adds about a microsecond of client work to the leader's loop per operation
 * and saves a thread hand-off per operation, which on two cores would cost more.
 */
final class ClosedLoopClient {
  private static final long DRAIN_TIMEOUT_MILLIS = 10_000;

  private final RaftNode node;
  private final byte[] value = new byte[MachineLimits.VALUE_BYTES];
  private final Recorder recorder = new Recorder(3);
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
  private CountDownLatch stopped;

  /** What one measured window gave. */
  record Result(
      int concurrency, long committed, long windowNanos, Histogram latencyNanos, long failures,
      String firstFailure) {
    double opsPerSecond() {
      return committed * 1e9 / windowNanos;
    }

    double percentileMicros(double percentile) {
      return latencyNanos.getValueAtPercentile(percentile) / 1e3;
    }
  }

  ClosedLoopClient(RaftNode node) {
    this.node = node;
    new Random(42).nextBytes(value);
  }

  /**
   * Runs {@code warmupSeconds} then a measured window of {@code seconds}, then stops submitting
   * and waits (at most 10 s) for the outstanding submits to finish.
   */
  Result run(int concurrency, long warmupSeconds, long seconds) throws InterruptedException {
    stop.set(false);
    stopped = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      submitOne();
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
    recorder.getIntervalHistogram(); // discards the warm-up
    long failuresBefore = failures.get();
    long start = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    Histogram window = recorder.getIntervalHistogram();
    long windowNanos = System.nanoTime() - start;
    long failed = failures.get() - failuresBefore;
    stop.set(true);
    if (!stopped.await(DRAIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          stopped.getCount() + " submits still outstanding " + DRAIN_TIMEOUT_MILLIS + " ms after the window");
    }
    Throwable first = firstFailure.get();
    return new Result(concurrency, window.getTotalCount(), windowNanos, window, failed,
        first == null ? "" : first.toString());
  }

  private void submitOne() {
    long t0 = System.nanoTime();
    node.submit(value).whenComplete((result, error) -> {
      if (error == null) {
        recorder.recordValue(System.nanoTime() - t0);
      } else {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, error);
      }
      if (stop.get() || error instanceof NodeStoppedException
          || error != null && error.getCause() instanceof NodeStoppedException) {
        stopped.countDown();
      } else {
        submitOne();
      }
    });
  }
}
