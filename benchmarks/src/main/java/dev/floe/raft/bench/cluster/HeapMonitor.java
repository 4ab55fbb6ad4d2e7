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

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.floe.raft.bench.GcStats;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Watches this JVM's heap while a run lasts: the peak of the heap in use (sampled every 50 ms),
 * and from GC notifications the heap in use right after each collection (what survives, which
 * is what must stay bounded), split into the first and last third of the run to show a trend.
 */
final class HeapMonitor implements AutoCloseable {
  private static final long SAMPLE_MILLIS = 50;

  private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP)
      .map(MemoryPoolMXBean::getName)
      .collect(Collectors.toSet());
  private final List<long[]> afterGc = new ArrayList<>(); // {nanos since start, bytes}
  private final AtomicLong peakUsed = new AtomicLong();
  private final List<Registration> registrations = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private final long gcCountBefore;
  private final long gcMillisBefore;
  private final Thread sampler;
  private volatile boolean closed;

  private record Registration(NotificationEmitter emitter, NotificationListener listener) {}

  /** What the run's heap looked like. */
  record Report(
      long peakUsedBytes, long peakAfterGcBytes, long firstThirdPeakAfterGcBytes,
      long lastThirdPeakAfterGcBytes, long maxHeapBytes, long gcCount, long gcMillis,
      long seconds) {}

  HeapMonitor() {
    gcCountBefore = GcStats.count();
    gcMillisBefore = GcStats.millis();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        NotificationListener listener = this::onGc;
        emitter.addNotificationListener(listener, null, null);
        registrations.add(new Registration(emitter, listener));
      }
    }
    sampler = new Thread(this::sample, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  private void onGc(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    synchronized (afterGc) {
      afterGc.add(new long[] {System.nanoTime() - startNanos, used});
    }
  }

  private void sample() {
    while (!closed) {
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      peakUsed.accumulateAndGet(used, Math::max);
      try {
        Thread.sleep(SAMPLE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Stops watching and reports. */
  Report report() {
    close();
    long elapsed = System.nanoTime() - startNanos;
    long peak = 0;
    long first = 0;
    long last = 0;
    synchronized (afterGc) {
      for (long[] s : afterGc) {
        peak = Math.max(peak, s[1]);
        if (s[0] < elapsed / 3) {
          first = Math.max(first, s[1]);
        } else if (s[0] >= 2 * elapsed / 3) {
          last = Math.max(last, s[1]);
        }
      }
    }
    return new Report(peakUsed.get(), peak, first, last,
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax(),
        GcStats.count() - gcCountBefore, GcStats.millis() - gcMillisBefore,
        elapsed / 1_000_000_000L);
  }


  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    sampler.interrupt();
    for (Registration r : registrations) {
      try {
        r.emitter().removeNotificationListener(r.listener());
      } catch (javax.management.ListenerNotFoundException e) {
        // already removed
      }
    }
  }
}
