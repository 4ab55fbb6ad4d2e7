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
package dev.floe.raft.bench.snapshot;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.floe.raft.bench.GcStats;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;

/**
 * The high-water marks of this JVM's heap since the last {@link #reset()}, from three sources:
 *
 * <ul>
 *   <li>GC notifications: the heap in use just before each collection (the real peak, garbage
 *       included: a collector runs when the heap it allows fills up) and just after it (what was
 *       live);
 *   <li>{@link MemoryPoolMXBean#getPeakUsage()} of every heap pool, added up (an upper bound: the
 *       pools may peak at different moments);
 *   <li>the heap in use sampled every {@value #SAMPLE_MILLIS} ms (catches a peak between
 *       collections that no collection followed).
 * </ul>
 *
 * <p>Thread-safe.
 */
final class HeapPeaks implements AutoCloseable {
  private static final long SAMPLE_MILLIS = 20;

  private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP)
      .collect(Collectors.toList());
  private final Set<String> heapPoolNames =
      heapPools.stream().map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
  private final AtomicLong beforeGc = new AtomicLong();
  private final AtomicLong afterGc = new AtomicLong();
  private final AtomicLong sampled = new AtomicLong();
  private final Thread sampler;
  private volatile long gcCountAtReset;
  private volatile long gcMillisAtReset;
  private volatile boolean closed;

  /** The peaks, in bytes, and the collections since the reset. */
  record Report(long beforeGcBytes, long afterGcBytes, long poolPeakSumBytes, long sampledBytes,
      long maxHeapBytes, long gcCount, long gcMillis) {
    /** The greatest heap in use seen by any source but the pool sum. */
    long peakUsedBytes() {
      return Math.max(beforeGcBytes, sampledBytes);
    }
  }

  HeapPeaks() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(this::onGc, null, null);
      }
    }
    reset();
    sampler = new Thread(this::sample, "heap-peaks");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Forgets the peaks so far. */
  void reset() {
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    beforeGc.set(0);
    afterGc.set(0);
    sampled.set(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    gcCountAtReset = GcStats.count();
    gcMillisAtReset = GcStats.millis();
  }

  Report report() {
    long poolSum = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    return new Report(beforeGc.get(), afterGc.get(), poolSum, sampled.get(),
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax(),
        GcStats.count() - gcCountAtReset, GcStats.millis() - gcMillisAtReset);
  }

  private void onGc(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
        (javax.management.openmbean.CompositeData) n.getUserData());
    beforeGc.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageBeforeGc()), Math::max);
    afterGc.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageAfterGc()), Math::max);
  }

  private long heapUsed(Map<String, MemoryUsage> usage) {
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : usage.entrySet()) {
      if (heapPoolNames.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    return used;
  }

  private void sample() {
    while (!closed) {
      sampled.accumulateAndGet(
          ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
      try {
        Thread.sleep(SAMPLE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }


  @Override
  public void close() {
    closed = true;
    sampler.interrupt();
  }
}
