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

import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.storage.file.FileLogStore;
import dev.floe.raft.storage.file.FileSnapshotStore;
import dev.floe.raft.transport.netty.NettyTransport;
import dev.floe.raft.transport.netty.NettyTransportOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * One node of {@link CatchUpRun}, in its own JVM (so that its heap is its own): a {@link RaftNode}
 * over {@link NettyTransport} on 127.0.0.1, {@link FileLogStore} (default options: fsync on) in
 * {@code DIR/raft}, {@link FileSnapshotStore} in {@code DIR/raft/snapshots}, and a
 * {@link FileStateMachine} in {@code DIR/state.bin}. Snapshots are taken only on request, and
 * compact the whole log behind them (no trailing entries).
 *
 * <p>The parent drives it with one command per line on standard input and reads one answer line
 * per command on standard output, marked by a leading {@value #ANSWER_MARK} (logging goes to
 * standard error; other lines on standard output, such as the JVM's own, are not answers):
 *
 * <pre>
 *   status                    STATUS role term commit applied last snapshotIndex
 *   grow TOTAL_MIB STEP_MIB   GROWN lastIndex millis        (submits grow commands, on the leader)
 *   await INDEX [BYTES]       APPLIED nanosSinceStart firstBytesNanos allBytesNanos
 *                             restoreStartNanos restoreEndNanos (since the node's start: when a
 *                             snapshot was first seen arriving, when BYTES of it had arrived, and
 *                             when the state machine's restore started and ended; -1 if not seen)
 *   snapshot                  SNAPSHOT index sizeBytes millis
 *   checksum                  CHECKSUM crc32c length appliedIndex
 *   heap-reset                HEAP-RESET
 *   heap                      HEAP beforeGc afterGc poolPeakSum sampled maxHeap gcCount gcMillis
 *   stop                      STOPPED (then exits)
 * </pre>
 *
 * A failed command answers {@code ERROR message}. The node exits at the end of its standard input
 * (the parent closed it, or died) or after {@code --max-seconds}, whichever comes first.
 */
@Command(name = "snapshot-bench-node", description = "One node of the snapshot catch-up benchmark.")
public final class SnapshotBenchNode implements Callable<Integer> {
  static final dev.floe.raft.cluster.ClusterId CLUSTER_ID =
      dev.floe.raft.cluster.ClusterId.of("floe-snapshot-bench");
  /** Starts every answer line on standard output. */
  static final String ANSWER_MARK = "= ";
  private static final long COMMAND_TIMEOUT_SECONDS = 1_800;

  @Option(names = "--id", required = true)
  String id;

  @Option(names = "--ports", required = true, split = ",", description = "every member, as id=port")
  Map<String, Integer> ports;

  @Option(names = "--dir", required = true)
  Path dir;

  @Option(names = "--election-timeout-millis", split = ",", defaultValue = "150,300")
  List<Long> electionTimeoutMillis;

  @Option(names = "--chunk-bytes", defaultValue = "1048576")
  int chunkBytes;

  @Option(names = "--max-seconds", defaultValue = "1800")
  long maxSeconds;

  private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
  private RaftNode node;
  private FileSnapshotStore snapshots;
  private FileStateMachine state;
  private long startNanos;

  /** Runs one node; see the class comment. */
  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    System.exit(new CommandLine(new SnapshotBenchNode()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.SECONDS.toMillis(maxSeconds));
        System.err.println(id + ": --max-seconds passed; exiting");
        Runtime.getRuntime().halt(3);
      } catch (InterruptedException e) {
        // exiting normally
      }
    }, "watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try (HeapPeaks heap = new HeapPeaks()) {
      start();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        String[] words = line.trim().split("\\s+");
        try {
          if (words[0].equals("stop")) {
            close();
            answer("STOPPED");
            return 0;
          }
          answer(handle(words, heap));
        } catch (Exception e) {
          answer("ERROR " + e);
          e.printStackTrace();
        }
      }
      return 0;
    } finally {
      close();
    }
  }

  /** One answer line, marked so that the parent can tell it from what the JVM itself prints. */
  private void answer(String line) {
    out.println(ANSWER_MARK + line);
  }

  private void start() throws IOException {
    Map<NodeId, InetSocketAddress> peers = new LinkedHashMap<>();
    List<NodeId> members = new ArrayList<>();
    ports.forEach((peer, port) -> {
      members.add(NodeId.of(peer));
      if (!peer.equals(id)) {
        peers.put(NodeId.of(peer), new InetSocketAddress("127.0.0.1", port));
      }
    });
    Files.createDirectories(dir.resolve("raft"));
    state = new FileStateMachine(dir.resolve("state.bin"));
    snapshots = new FileSnapshotStore(dir.resolve("raft").resolve("snapshots"));
    node = RaftNode.builder()
        .id(NodeId.of(id))
        .clusterId(CLUSTER_ID)
        .members(members)
        .stateMachine(state)
        .transport(new NettyTransport(NettyTransportOptions.builder()
            .bindAddress(new InetSocketAddress("127.0.0.1", ports.get(id)))
            .peers(peers)
            .build()))
        .logStore(new FileLogStore(dir.resolve("raft")))
        // Only takeSnapshot() snapshots (the thresholds are never reached), and it compacts the
        // whole log behind the snapshot.
        .snapshots(snapshots, new SnapshotOptions(Long.MAX_VALUE, 0, chunkBytes))
        .options(RaftOptions.defaults()
            .withElectionTimeout(electionTimeoutMillis.get(0), electionTimeoutMillis.get(1)))
        .build();
    startNanos = System.nanoTime();
    node.start();
  }

  private String handle(String[] words, HeapPeaks heap) throws Exception {
    switch (words[0]) {
      case "status": {
        RaftStatus s = node.status();
        return String.join(" ", "STATUS", s.role().name().toLowerCase(java.util.Locale.ROOT),
            Long.toString(s.term()), Long.toString(s.commitIndex()),
            Long.toString(s.appliedIndex()), Long.toString(s.lastIndex()),
            Long.toString(snapshots.latest().map(m -> m.index()).orElse(0L)));
      }
      case "grow":
        return grow(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
      case "await": {
        long index = Long.parseLong(words[1]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(COMMAND_TIMEOUT_SECONDS);
        long snapshotBytes = words.length > 2 ? Long.parseLong(words[2]) : Long.MAX_VALUE;
        long firstBytes = -1;
        long allBytes = -1;
        while (node.status().appliedIndex() < index) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("index " + index + " not applied in time");
          }
          if (allBytes < 0) {
            long received = receivedSnapshotBytes();
            if (firstBytes < 0 && received >= 0) {
              firstBytes = System.nanoTime() - startNanos;
            }
            if (received >= snapshotBytes) {
              allBytes = System.nanoTime() - startNanos;
            }
          }
          Thread.sleep(2); // polling the node's published status; no event to wait on
        }
        long reached = System.nanoTime() - startNanos;
        long restoreStart = state.restoreStartNanos();
        long restoreEnd = state.restoreEndNanos();
        return String.join(" ", "APPLIED", Long.toString(reached), Long.toString(firstBytes),
            Long.toString(allBytes),
            Long.toString(restoreStart == 0 ? -1 : restoreStart - startNanos),
            Long.toString(restoreEnd == 0 ? -1 : restoreEnd - startNanos));
      }
      case "snapshot": {
        long t0 = System.nanoTime();
        long index = node.takeSnapshot().get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        long size = snapshots.latest().orElseThrow().sizeBytes();
        return "SNAPSHOT " + index + " " + size + " " + millis;
      }
      case "checksum": {
        long applied = node.status().appliedIndex();
        ByteBuffer answer = ByteBuffer.wrap(node.query(FileStateMachine.CHECKSUM_QUERY,
            ReadConsistency.LOCAL).get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        return String.format("CHECKSUM %08x %d %d", answer.getLong(), answer.getLong(), applied);
      }
      case "heap-reset":
        heap.reset();
        return "HEAP-RESET";
      case "heap": {
        HeapPeaks.Report r = heap.report();
        return String.join(" ", "HEAP", Long.toString(r.beforeGcBytes()),
            Long.toString(r.afterGcBytes()), Long.toString(r.poolPeakSumBytes()),
            Long.toString(r.sampledBytes()), Long.toString(r.maxHeapBytes()),
            Long.toString(r.gcCount()), Long.toString(r.gcMillis()));
      }
      default:
        throw new IllegalArgumentException("unknown command " + words[0]);
    }
  }

  /**
   * The size of the snapshot being received, or -1 if none is: FileSnapshotStore writes it to
   * {@code tmp-*}{@code /data} until it is published (docs/storage-format.md).
   */
  private long receivedSnapshotBytes() throws IOException {
    try (Stream<Path> entries = Files.list(dir.resolve("raft").resolve("snapshots"))) {
      for (Path p : entries.toList()) {
        if (p.getFileName().toString().startsWith("tmp-")) {
          return Files.size(p.resolve("data"));
        }
      }
      return -1;
    } catch (NoSuchFileException e) {
      return -1; // not created yet, or published (renamed) meanwhile
    }
  }

  /**
   * Submits grow commands until the state holds {@code totalMib}, one at a time: each takes a while
   * to apply, and a submit whose apply waits behind many others would outlive the node's request
   * timeout and fail with an unknown outcome.
   */
  private String grow(int totalMib, int stepMib) throws Exception {
    long t0 = System.nanoTime();
    long last = 0;
    for (int grown = 0; grown < totalMib; grown += stepMib) {
      SubmitResult r = node.submit(FileStateMachine.grow(Math.min(stepMib, totalMib - grown)))
          .get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      last = r.index();
    }
    return "GROWN " + last + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  private void close() {
    if (node != null) {
      node.close();
      node = null;
    }
    if (state != null) {
      try {
        state.close();
      } catch (IOException e) {
        e.printStackTrace();
      }
      state = null;
    }
  }
}
