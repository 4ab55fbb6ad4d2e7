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

import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.bench.TempDirs;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of {@link dev.floe.raft.bench.ClusterBenchmark}: the machine's limits, the cluster at
 * each concurrency, the limits again (the disk of a shared machine drifts; the figures compared
 * against are both loops together), then a table of every figure beside the limits and a check of
 * the targets of issue 9.
 */
public final class ClusterRun {
  private static final long MAX_LIMIT_OPS = 1_000_000;
  private static final long LEADER_TIMEOUT_MILLIS = 30_000;

  private ClusterRun() {}

  /**
   * What to run.
   *
   * @param concurrency the outstanding submits of each window
   * @param warmupSeconds warm-up before each window
   * @param seconds length of each window
   * @param processes three child JVMs instead of three nodes in this one
   * @param limitSeconds length of each machine-limit loop
   * @param heapSeconds in-JVM only: length of a final C=256 window watched for heap; 0 skips it
   * @param ioThreads Netty I/O threads per node
   * @param dir where the data directories go; null for a new temporary directory
   * @param clients the clients to run, each over every concurrency; run and reported in the
   *     order of {@link ClientKind} ({@code app} first), whatever order they are given in
   */
  public record Settings(
      List<Integer> concurrency, long warmupSeconds, long seconds, boolean processes,
      long limitSeconds, long heapSeconds, int ioThreads, Path dir, List<ClientKind> clients) {
    /** Checks the settings, naming what is wrong. */
    public Settings {
      if (clients.isEmpty()) {
        throw new IllegalArgumentException("name at least one client: app, inline or app,inline");
      }
      clients = clients.stream().distinct().sorted().toList();
      concurrency = List.copyOf(concurrency);
    }
  }

  /** One measured window and the threads each node ran at its end. */
  record Measured(ClosedLoopClient.Result result, String threads) {}

  /** Runs everything and prints to {@code out}; returns the process exit status. */
  public static int run(Settings s, PrintStream out) throws Exception {
    boolean temporary = s.dir() == null;
    Path root = temporary ? Files.createTempDirectory("floe-cluster-bench") : s.dir();
    Files.createDirectories(root);
    try {
      out.printf("machine: %d CPUs, %s %s, load average %.2f at start; disk %s (%s)%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
          System.getProperty("java.version"), loadAverage(), root, Files.getFileStore(root));
      out.printf("mode %s, client %s, concurrency %s, warm-up %d s, window %d s, Netty I/O threads %d%n",
          s.processes() ? "processes" : "in-jvm",
          s.clients().stream().map(ClientKind::label).toList(), s.concurrency(), s.warmupSeconds(),
          s.seconds(), s.ioThreads());
      MachineLimits.Measurement force = MachineLimits.rawAppendForce(root, s.limitSeconds(), MAX_LIMIT_OPS);
      MachineLimits.Measurement overwrite =
          MachineLimits.rawOverwriteForce(root, s.limitSeconds(), MAX_LIMIT_OPS);
      MachineLimits.Measurement rtt = MachineLimits.loopbackRoundTrip(s.limitSeconds(), MAX_LIMIT_OPS);
      printLimits(out, "before", force, overwrite, rtt);

      List<Measured> measured;
      HeapMonitor.Report heap = null;
      ClosedLoopClient.Result heapRun = null;
      if (s.processes()) {
        measured = ProcessCluster.run(root, s.concurrency(), s.warmupSeconds(), s.seconds(),
            s.ioThreads(), s.clients());
        measured.forEach(m -> printWindow(out, m, "n1's JVM: node n1 + client", false));
      } else {
        measured = new ArrayList<>();
        try (BenchCluster cluster = BenchCluster.start(root.resolve("cluster"), RaftOptions.defaults(),
            s.ioThreads())) {
          RaftNode leader = cluster.awaitLeader(LEADER_TIMEOUT_MILLIS);
          long term = leader.status().term();
          for (ClientKind kind : s.clients()) {
            ClosedLoopClient client = ClosedLoopClient.create(kind, leader::submit);
            for (int c : s.concurrency()) {
              ClosedLoopClient.Result r = client.run(c, s.warmupSeconds(), s.seconds());
              Measured m = new Measured(r, ThreadCensus.ofThisJvm(cluster.ports()).line(List.of()));
              measured.add(m);
              printWindow(out, m, "whole JVM: 3 nodes + client", true);
            }
          }
          if (s.heapSeconds() > 0) {
            HeapMonitor monitor = new HeapMonitor();
            heapRun = ClosedLoopClient.create(s.clients().get(0), leader::submit)
                .run(256, 0, s.heapSeconds());
            heap = monitor.report();
          }
          if (leader.status().term() != term || !leader.status().isLeader()) {
            out.printf("WARNING: leadership changed during the run (term %d -> %d)%n", term,
                leader.status().term());
          }
        }
      }
      List<ClosedLoopClient.Result> results = measured.stream().map(Measured::result).toList();

      MachineLimits.Measurement forceAfter = MachineLimits.rawAppendForce(root, s.limitSeconds(), MAX_LIMIT_OPS);
      MachineLimits.Measurement overwriteAfter =
          MachineLimits.rawOverwriteForce(root, s.limitSeconds(), MAX_LIMIT_OPS);
      MachineLimits.Measurement rttAfter = MachineLimits.loopbackRoundTrip(s.limitSeconds(), MAX_LIMIT_OPS);
      printLimits(out, "after", forceAfter, overwriteAfter, rttAfter);
      force = force.plus(forceAfter);
      overwrite = overwrite.plus(overwriteAfter);
      rtt = rtt.plus(rttAfter);
      printLimits(out, "both", force, overwrite, rtt);
      out.printf("load average at end %.2f%n%n", loadAverage());
      Report.table(out, results, force, rtt);
      if (heap != null) {
        Report.heap(out, heap, heapRun);
      }
      Report.targets(out, results, force, overwrite, rtt, heap);
      return 0;
    } finally {
      if (temporary) {
        TempDirs.deleteRecursively(root);
      }
    }
  }

  /**
   * One line per window, labelled with its client, then the node threads at its end; the load
   * average only if the window just ended ({@code live}).
   */
  private static void printWindow(PrintStream out, Measured m, String allocationScope,
      boolean live) {
    ClosedLoopClient.Result r = m.result();
    out.printf("client %s C=%d: %,.0f ops/s, p50 %,.0f µs, p99 %,.0f µs, p99.9 %,.0f µs, %d failed%s,"
            + " %s B allocated/op (%s)%s%n",
        r.client().label(), r.concurrency(), r.opsPerSecond(), r.percentileMicros(50),
        r.percentileMicros(99), r.percentileMicros(99.9), r.failures(),
        r.failures() == 0 ? "" : " (first: " + r.firstFailure() + ")",
        Double.isNaN(r.allocatedBytesPerOp()) ? "n/a" : String.format("%,.0f", r.allocatedBytesPerOp()),
        allocationScope, live ? String.format(", load %.2f", loadAverage()) : "");
    out.printf("client %s C=%d: %s%n", r.client().label(), r.concurrency(), m.threads());
  }

  private static void printLimits(PrintStream out, String when, MachineLimits.Measurement force,
      MachineLimits.Measurement overwrite, MachineLimits.Measurement rtt) {
    out.printf("limits (%s): raw append(100 B)+force %,.0f/s p50 %,.0f µs p99 %,.0f µs;"
            + " preallocated overwrite(100 B)+force %,.0f/s p50 %,.0f µs p99 %,.0f µs;"
            + " loopback round trip p50 %,.1f µs p99 %,.1f µs%n",
        when, force.perSecond(), force.p50Micros(), force.p99Micros(), overwrite.perSecond(),
        overwrite.p50Micros(), overwrite.p99Micros(), rtt.p50Micros(), rtt.p99Micros());
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
