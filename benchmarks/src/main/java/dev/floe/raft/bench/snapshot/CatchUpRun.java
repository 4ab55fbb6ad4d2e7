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

import dev.floe.raft.bench.TempDirs;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of {@link dev.floe.raft.bench.SnapshotCatchUpBenchmark}: three {@link SnapshotBenchNode}
 * child JVMs on 127.0.0.1 (n1 leads: it has the short election timeout), {@code sizeMib} of state
 * built through grow commands, n3 stopped, a snapshot taken on the leader (which compacts its log
 * past everything n3 has), n3's directory removed, n3 started again; then the time until n3 has
 * applied the leader's commit index, the checksums of every node's state file, and the heap
 * high-water marks of the leader (while it sends) and of n3 (its whole life).
 */
public final class CatchUpRun {
  private static final long LEADER_TIMEOUT_MILLIS = 30_000;
  private static final long STEP_TIMEOUT_SECONDS = 1_200;
  private static final double MB = 1e6;
  private static final double MIB = 1 << 20;

  private CatchUpRun() {}

  /**
   * What to run.
   *
   * @param sizeMib the state to build and transfer, in MiB
   * @param stepMib the MiB each grow command adds
   * @param chunkBytes the InstallSnapshot chunk size
   * @param maxHeap each child JVM's {@code -Xmx}
   * @param jvmOptions more options for every child JVM ({@code {id}} is replaced by the node's id)
   * @param dir where the nodes' directories go; null for a new temporary directory, removed after
   */
  public record Settings(int sizeMib, int stepMib, int chunkBytes, String maxHeap,
      List<String> jvmOptions, Path dir) {}

  /** Runs everything and prints to {@code out}; returns the process exit status. */
  public static int run(Settings s, PrintStream out) throws Exception {
    boolean temporary = s.dir() == null;
    Path root = temporary ? Files.createTempDirectory("floe-snapshot-bench") : s.dir();
    Files.createDirectories(root);
    List<ChildNode> children = new ArrayList<>();
    try {
      out.printf("machine: %d CPUs, %s %s, load average %.2f; %,d MiB free on %s (%s)%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
          System.getProperty("java.version"), loadAverage(),
          Files.getFileStore(root).getUsableSpace() >> 20, root, Files.getFileStore(root));
      out.printf("state %,d MiB in grow commands of %d MiB; chunk %,d bytes; each node a JVM with "
          + "-Xmx%s -XX:+UseG1GC; FileLogStore and FileSnapshotStore (fsync on), Netty on "
          + "127.0.0.1%n", s.sizeMib(), s.stepMib(), s.chunkBytes(), s.maxHeap());

      String ports = freePorts();
      ChildNode n1 = start(root, "n1", ports, "150,300", s);
      children.add(n1);
      children.add(start(root, "n2", ports, "2000,4000", s));
      children.add(start(root, "n3", ports, "2000,4000", s));
      awaitLeader(n1);

      String[] grown = n1.call("grow " + s.sizeMib() + " " + s.stepMib(), "GROWN",
          STEP_TIMEOUT_SECONDS);
      long lastIndex = Long.parseLong(grown[1]);
      double growSeconds = Long.parseLong(grown[2]) / 1e3;
      for (ChildNode follower : children.subList(1, 3)) {
        follower.call("await " + lastIndex, "APPLIED", STEP_TIMEOUT_SECONDS);
      }
      out.printf("built the state: %,d MiB through index %d in %.1f s (applied on all three)%n",
          s.sizeMib(), lastIndex, growSeconds);

      ChildNode n3 = children.get(2);
      n3.stop();
      children.remove(n3);
      String[] snapshot = n1.call("snapshot", "SNAPSHOT", STEP_TIMEOUT_SECONDS);
      long snapshotIndex = Long.parseLong(snapshot[1]);
      long snapshotBytes = Long.parseLong(snapshot[2]);
      out.printf("n3 stopped; the leader took snapshot %d (%,d bytes) in %.1f s and compacted its "
          + "log behind it%n", snapshotIndex, snapshotBytes, Long.parseLong(snapshot[3]) / 1e3);
      String[] leaderStatus = n1.call("status", "STATUS", 60);
      long commit = Long.parseLong(leaderStatus[3]);
      TempDirs.deleteRecursively(root.resolve("n3"));
      out.printf("n3's directory removed; the leader's commit index is %d%n", commit);

      n1.call("heap-reset", "HEAP-RESET", 60);
      double loadBefore = loadAverage();
      ChildNode fresh = start(root, "n3", ports, "2000,4000", s);
      children.add(fresh);
      String[] applied = fresh.call("await " + commit + " " + snapshotBytes, "APPLIED",
          STEP_TIMEOUT_SECONDS);
      double wallFromLaunch = (System.nanoTime() - fresh.launchNanos) / 1e9;
      double fromStart = Long.parseLong(applied[1]) / 1e9;
      double firstBytes = Long.parseLong(applied[2]) / 1e9;
      double allBytes = Long.parseLong(applied[3]) / 1e9;
      double restoreStart = Long.parseLong(applied[4]) / 1e9;
      double restoreEnd = Long.parseLong(applied[5]) / 1e9;
      HeapPeaks.Report leaderHeap = heap(n1);
      HeapPeaks.Report followerHeap = heap(fresh);
      double loadAfter = loadAverage();

      String[] leaderSum = n1.call("checksum", "CHECKSUM", STEP_TIMEOUT_SECONDS);
      String[] n2Sum = children.get(1).call("checksum", "CHECKSUM", STEP_TIMEOUT_SECONDS);
      String[] followerSum = fresh.call("checksum", "CHECKSUM", STEP_TIMEOUT_SECONDS);
      String[] followerStatus = fresh.call("status", "STATUS", 60);
      boolean same = leaderSum[1].equals(followerSum[1]) && leaderSum[2].equals(followerSum[2])
          && leaderSum[1].equals(n2Sum[1]) && leaderSum[2].equals(n2Sum[2]);
      boolean installed = Long.parseLong(followerStatus[6]) >= snapshotIndex;

      out.printf("%nn3 caught up: applied index %d reached %.2f s after its node started (%.2f s "
          + "after its JVM was launched)%n", commit, fromStart, wallFromLaunch);
      out.printf("  phases: until the first snapshot bytes arrived (connections, probing) %.2f s;"
          + " transfer %.2f s; commit (fsync, publish) %.2f s; restore of the state file %.2f s;"
          + " after the restore %.2f s%n", firstBytes, allBytes - firstBytes,
          restoreStart - allBytes, restoreEnd - restoreStart, fromStart - restoreEnd);
      out.printf("  %.1f MB/s (%.1f MiB/s) of snapshot from node start to caught up; %.1f MB/s "
          + "during the transfer; chunk %,d bytes%n", snapshotBytes / MB / fromStart,
          snapshotBytes / MIB / fromStart, snapshotBytes / MB / (allBytes - firstBytes),
          s.chunkBytes());
      out.printf("  n3's latest snapshot is %s (the leader's is %d); state file CRC32C %s, %,d bytes"
          + " on n1, %s on n2, %s on n3: %s%n", followerStatus[6], snapshotIndex, leaderSum[1],
          Long.parseLong(leaderSum[2]), n2Sum[1], followerSum[1], same ? "identical" : "DIFFERENT");
      printHeap(out, "leader n1 while sending", leaderHeap);
      printHeap(out, "follower n3, whole life", followerHeap);
      out.printf("load average %.2f before the catch-up, %.2f after%n", loadBefore, loadAfter);
      if (!same || !installed) {
        out.println("FAILED: " + (same ? "n3 did not install the leader's snapshot"
            : "the state files differ"));
        return 1;
      }
      return 0;
    } finally {
      for (ChildNode c : children) {
        c.close();
      }
      if (temporary) {
        TempDirs.deleteRecursively(root);
      }
    }
  }

  private static ChildNode start(Path root, String id, String ports, String electionTimeout,
      Settings s) throws IOException {
    List<String> jvm = new ArrayList<>(List.of("-Xmx" + s.maxHeap(), "-XX:+UseG1GC"));
    s.jvmOptions().forEach(o -> jvm.add(o.replace("{id}", id)));
    return ChildNode.start(id, jvm,
        List.of("--ports", ports, "--dir", root.resolve(id).toString(),
            "--election-timeout-millis", electionTimeout,
            "--chunk-bytes", Integer.toString(s.chunkBytes())),
        root.resolve(id + ".log"));
  }

  private static void awaitLeader(ChildNode n1) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + LEADER_TIMEOUT_MILLIS * 1_000_000L;
    while (System.nanoTime() < deadline) {
      if (n1.call("status", "STATUS", 60)[1].equals("leader")) {
        return;
      }
      Thread.sleep(50); // polling the child's status; it has no event to wait on
    }
    throw new IllegalStateException("n1 did not lead within " + LEADER_TIMEOUT_MILLIS + " ms");
  }

  private static HeapPeaks.Report heap(ChildNode node) throws IOException, InterruptedException {
    String[] w = node.call("heap", "HEAP", 60);
    return new HeapPeaks.Report(Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3]),
        Long.parseLong(w[4]), Long.parseLong(w[5]), Long.parseLong(w[6]), Long.parseLong(w[7]));
  }

  private static void printHeap(PrintStream out, String who, HeapPeaks.Report r) {
    out.printf("  heap of %s: peak in use %.1f MiB (before a GC %.1f, sampled every 20 ms %.1f; "
        + "heap pools' peaks added up %.1f), at most %.1f MiB live after a GC; max heap %.0f MiB; "
        + "%d GCs, %d ms%n", who, r.peakUsedBytes() / MIB, r.beforeGcBytes() / MIB,
        r.sampledBytes() / MIB, r.poolPeakSumBytes() / MIB, r.afterGcBytes() / MIB,
        r.maxHeapBytes() / MIB, r.gcCount(), r.gcMillis());
  }

  private static String freePorts() throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    StringBuilder ports = new StringBuilder();
    try {
      for (String id : List.of("n1", "n2", "n3")) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(socket);
        ports.append(ports.length() == 0 ? "" : ",").append(id).append('=').append(socket.getLocalPort());
      }
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
    return ports.toString();
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
