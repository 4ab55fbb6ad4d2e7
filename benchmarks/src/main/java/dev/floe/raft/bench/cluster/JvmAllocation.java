package dev.floe.raft.bench.cluster;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated on the heap by the whole JVM so far: the sum of
 * {@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long[])} over every live thread.
 * The difference of two readings is what the JVM's threads allocated in between, except what
 * threads that ended in between had allocated (the benchmark's threads live through a window).
 */
final class JvmAllocation {
  private static final com.sun.management.ThreadMXBean THREADS = threadBean();

  private JvmAllocation() {}

  /** The bytes allocated by the live threads so far, or -1 if this JVM does not count them. */
  static long totalBytes() {
    if (THREADS == null) {
      return -1;
    }
    long total = 0;
    for (long bytes : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
      if (bytes > 0) {
        total += bytes; // -1 for a thread that ended after the ids were read
      }
    }
    return total;
  }

  private static com.sun.management.ThreadMXBean threadBean() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
        && bean.isThreadAllocatedMemorySupported()) {
      if (!bean.isThreadAllocatedMemoryEnabled()) {
        bean.setThreadAllocatedMemoryEnabled(true);
      }
      return bean;
    }
    return null;
  }
}
