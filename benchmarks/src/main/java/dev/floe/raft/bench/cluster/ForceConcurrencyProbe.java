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

import dev.floe.raft.bench.TempDirs;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How far this machine's disk overlaps forces: T threads each write a batch and force it, again
 * and again, on preallocated space, either each in a file of its own (as the three nodes of one
 * machine do) or all in one file (as overlapping forces of one log would). A disk that serialises
 * forces keeps the total rate of a single thread; one that overlaps them raises it with T.
 */
@Command(name = "force-concurrency-probe", mixinStandardHelpOptions = true,
    description = "Forces per second and force latency with 1..T threads forcing at once.")
public final class ForceConcurrencyProbe implements Callable<Integer> {
  /** Bounds every thread's loop in count as well as in time. */
  private static final long MAX_FORCES = 10_000_000;

  @Spec CommandSpec spec;

  @Option(names = "--max-threads", defaultValue = "3", description = "Up to this many threads.")
  int maxThreads;

  @Option(names = "--batch-bytes", defaultValue = "4096",
      description = "Bytes written before each force (40 entries of 100 bytes is about 4 KiB).")
  int batchBytes;

  @Option(names = "--seconds", defaultValue = "3", description = "Measured seconds per case.")
  double seconds;

  @Option(names = "--region-mib", defaultValue = "16",
      description = "Preallocated MiB each thread writes round and round.")
  int regionMib;

  @Option(names = "--dir", description = "Where the files go (default: a temporary directory).")
  Path parent;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ForceConcurrencyProbe()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    long regionBytes = (long) regionMib << 20;
    if (maxThreads < 1 || regionMib < 1 || batchBytes < 1 || batchBytes > regionBytes / 4
        || seconds <= 0) {
      throw new ParameterException(spec.commandLine(), "need --max-threads >= 1, --region-mib"
          + " >= 1, 0 < --batch-bytes <= a quarter of the region, --seconds > 0");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path dir = parent == null ? Files.createTempDirectory("floe-force-probe-")
        : Files.createTempDirectory(parent, "floe-force-probe-");
    try {
      out.printf(Locale.ROOT, "# fs=%s batch_b=%d region_mib=%d seconds=%.1f%n",
          Files.getFileStore(dir).type(), batchBytes, regionMib, seconds);
      for (boolean oneFile : new boolean[] {false, true}) {
        for (int t = 1; t <= maxThreads; t++) {
          out.println(run(dir, t, oneFile, regionBytes));
          out.flush();
        }
      }
    } finally {
      TempDirs.deleteRecursively(dir);
    }
    return 0;
  }

  /** One case: {@code threads} threads forcing at once; returns its result line. */
  private String run(Path dir, int threads, boolean oneFile, long regionBytes) throws Exception {
    List<FileChannel> channels = new ArrayList<>();
    ExecutorService workers = Executors.newFixedThreadPool(threads);
    try {
      for (int i = 0; i < (oneFile ? 1 : threads); i++) {
        FileChannel ch = FileChannel.open(dir.resolve((oneFile ? "one-" : "own-") + threads + "-"
            + i), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        channels.add(ch);
        MachineLimits.preallocate(ch, (oneFile ? threads : 1) * regionBytes);
      }
      long end = System.nanoTime() + (long) (seconds * 1e9);
      List<Future<MachineLimits.Measurement>> cases = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        FileChannel ch = channels.get(oneFile ? 0 : i);
        long base = oneFile ? i * regionBytes : 0;
        cases.add(workers.submit(() -> forceLoop(ch, base, regionBytes, end)));
      }
      MachineLimits.Measurement all = cases.get(0).get();
      for (int i = 1; i < threads; i++) {
        all = all.plus(cases.get(i).get());
      }
      double perSecond = all.count() / seconds;
      return String.format(Locale.ROOT, "files=%s threads=%d forces_per_s=%.0f per_thread=%.0f"
              + " p50_us=%.1f p99_us=%.1f", oneFile ? "one" : "own", threads, perSecond,
          perSecond / threads, all.p50Micros(), all.p99Micros());
    } finally {
      workers.shutdownNow();
      for (FileChannel ch : channels) {
        ch.close();
      }
    }
  }

  /**
   * Writes a batch and forces it, round and round the region at {@code base}, until {@code end}
   * or {@link #MAX_FORCES}; the measurement's time is {@code seconds} (the case's window).
   */
  private MachineLimits.Measurement forceLoop(FileChannel ch, long base, long regionBytes,
      long end) throws IOException {
    ByteBuffer batch = ByteBuffer.allocateDirect(batchBytes);
    Histogram latency = new Histogram(3);
    long offset = 0;
    long count = 0;
    while (count < MAX_FORCES && System.nanoTime() < end) {
      long start = System.nanoTime();
      batch.clear();
      while (batch.hasRemaining()) {
        offset += ch.write(batch, base + offset);
      }
      if (offset + batchBytes > regionBytes) {
        offset = 0;
      }
      ch.force(false);
      latency.recordValue(System.nanoTime() - start);
      count++;
    }
    return new MachineLimits.Measurement(count, (long) (seconds * 1e9), latency);
  }
}
