package dev.floe.raft.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/** Collections and time in GC so far, over every collector of this JVM. */
public final class GcStats {
  private GcStats() {}

  /** Collections so far. */
  public static long count() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
  }

  /** Milliseconds spent collecting so far. */
  public static long millis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
  }
}
