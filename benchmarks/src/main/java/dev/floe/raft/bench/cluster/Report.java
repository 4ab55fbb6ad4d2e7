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

import java.io.PrintStream;
import java.util.List;

/** Prints a run's figures as Markdown, each beside the machine limit it is read against. */
final class Report {
  private static final double MIB = 1024.0 * 1024.0;

  private Report() {}

  /**
   * One row per client and concurrency. {@code B alloc/op} is what the JVM that ran the client
   * allocated per committed op in the window. {@code ops/force} is committed ops/s over unbatched forces/s (how
   * many entries one force carries, in effect); {@code p50/floor} is the p50 over one force p50
   * plus one loopback round-trip p50, the least a durable commit can take.
   */
  static void table(PrintStream out, List<ClosedLoopClient.Result> results,
      MachineLimits.Measurement force, MachineLimits.Measurement rtt) {
    double floor = force.p50Micros() + rtt.p50Micros();
    out.printf("| client | C | committed ops/s | p50 µs | p99 µs | p99.9 µs | failed | B alloc/op"
        + " | raw force/s | ops/s ÷ force/s | force p50 + RTT p50 µs | p50 ÷ floor |%n");
    out.printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |%n");
    for (ClosedLoopClient.Result r : results) {
      out.printf("| %s | %d | %,.0f | %,.0f | %,.0f | %,.0f | %d | %s | %,.0f | %.1f | %,.0f | %.2f |%n",
          r.client().label(), r.concurrency(), r.opsPerSecond(), r.percentileMicros(50),
          r.percentileMicros(99), r.percentileMicros(99.9), r.failures(),
          Double.isNaN(r.allocatedBytesPerOp()) ? "n/a" : String.format("%,.0f", r.allocatedBytesPerOp()),
          force.perSecond(),
          r.opsPerSecond() / force.perSecond(), floor, r.percentileMicros(50) / floor);
    }
    out.println();
  }

  static void heap(PrintStream out, HeapMonitor.Report h, ClosedLoopClient.Result run) {
    out.printf("heap during %d s at C=256, client %s (%,.0f ops/s, p99 %,.0f µs): peak used %.0f MiB,"
            + " peak after GC %.0f MiB (first third %.0f MiB, last third %.0f MiB), max heap %.0f MiB,"
            + " %d GCs, %d ms in GC%n%n",
        h.seconds(), run.client().label(), run.opsPerSecond(), run.percentileMicros(99), h.peakUsedBytes() / MIB,
        h.peakAfterGcBytes() / MIB, h.firstThirdPeakAfterGcBytes() / MIB,
        h.lastThirdPeakAfterGcBytes() / MIB, h.maxHeapBytes() / MIB, h.gcCount(), h.gcMillis());
  }

  /** The targets of issue 9, each with the figure it was judged on, for each client. */
  static void targets(PrintStream out, List<ClosedLoopClient.Result> results,
      MachineLimits.Measurement force, MachineLimits.Measurement overwrite,
      MachineLimits.Measurement rtt, HeapMonitor.Report heap) {
    for (ClientKind kind : ClientKind.values()) {
      List<ClosedLoopClient.Result> mine = results.stream().filter(r -> r.client() == kind).toList();
      if (!mine.isEmpty()) {
        targets(out, "[client " + kind.label() + "] ", mine, force, overwrite, rtt);
      }
    }
    if (heap != null) {
      boolean bounded = heap.lastThirdPeakAfterGcBytes() <= 1.5 * heap.firstThirdPeakAfterGcBytes()
          + 16 * MIB;
      verdict(out, "heap bounded at C=256 (after-GC peak of last third <= 1.5 x first third + 16 MiB)",
          bounded, String.format("%.0f MiB vs %.0f MiB over %d s", heap.lastThirdPeakAfterGcBytes() / MIB,
              heap.firstThirdPeakAfterGcBytes() / MIB, heap.seconds()));
    }
  }

  private static void targets(PrintStream out, String label, List<ClosedLoopClient.Result> results,
      MachineLimits.Measurement force, MachineLimits.Measurement overwrite,
      MachineLimits.Measurement rtt) {
    double floor = force.p50Micros() + rtt.p50Micros();
    double preallocatedFloor = overwrite.p50Micros() + rtt.p50Micros();
    ClosedLoopClient.Result c1 = find(results, 1);
    ClosedLoopClient.Result c64 = find(results, 64);
    ClosedLoopClient.Result c256 = find(results, 256);
    if (c1 != null) {
      verdict(out, label + "C=1 p50 <= 2 x (force p50 + RTT p50)",
          c1.percentileMicros(50) <= 2 * floor,
          String.format("%,.0f µs vs %,.0f µs", c1.percentileMicros(50), 2 * floor));
      verdict(out, label + "  same, against the preallocated overwrite+force p50 (stricter)",
          c1.percentileMicros(50) <= 2 * preallocatedFloor,
          String.format("%,.0f µs vs %,.0f µs", c1.percentileMicros(50), 2 * preallocatedFloor));
      verdict(out, label + "C=1 p99 <= 1.5 ms", c1.percentileMicros(99) <= 1500,
          String.format("%,.0f µs", c1.percentileMicros(99)));
    }
    if (c64 != null) {
      verdict(out, label + "C=64 >= 100,000 ops/s", c64.opsPerSecond() >= 100_000,
          String.format("%,.0f ops/s", c64.opsPerSecond()));
      verdict(out, label + "C=64 p99 <= 5 ms", c64.percentileMicros(99) <= 5000,
          String.format("%,.0f µs", c64.percentileMicros(99)));
    }
    if (c64 != null && c256 != null) {
      verdict(out, label + "C=256 ops/s >= C=64 ops/s", c256.opsPerSecond() >= c64.opsPerSecond(),
          String.format("%,.0f vs %,.0f ops/s", c256.opsPerSecond(), c64.opsPerSecond()));
    }
  }

  private static void verdict(PrintStream out, String target, boolean met, String figure) {
    out.printf("target %-80s %s  (%s)%n", target, met ? "MET" : "MISSED", figure);
  }

  private static ClosedLoopClient.Result find(List<ClosedLoopClient.Result> results, int c) {
    return results.stream().filter(r -> r.concurrency() == c).findFirst().orElse(null);
  }
}
