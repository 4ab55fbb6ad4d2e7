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
