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
package dev.floe.raft.bench.storage;

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
    try {
      for (int i = 0; i < (oneFile ? 1 : threads); i++) {
        channels.add(preallocated(dir.resolve((oneFile ? "one-" + threads : "own-" + threads)
            + "-" + i), (oneFile ? threads : 1) * regionBytes));
      }
      Histogram[] latency = new Histogram[threads];
      long[] forces = new long[threads];
      Thread[] workers = new Thread[threads];
      long end = System.nanoTime() + (long) (seconds * 1e9);
      IOException[] failure = new IOException[1];
      for (int i = 0; i < threads; i++) {
        int n = i;
        FileChannel ch = channels.get(oneFile ? 0 : i);
        long base = oneFile ? i * regionBytes : 0;
        latency[n] = new Histogram(3);
        workers[n] = new Thread(() -> {
          ByteBuffer batch = ByteBuffer.allocateDirect(batchBytes);
          long offset = 0;
          try {
            while (System.nanoTime() < end) {
              long start = System.nanoTime();
              batch.clear();
              while (batch.hasRemaining()) {
                offset += ch.write(batch, base + offset);
              }
              if (offset + batchBytes > regionBytes) {
                offset = 0;
              }
              ch.force(false);
              latency[n].recordValue(System.nanoTime() - start);
              forces[n]++;
            }
          } catch (IOException e) {
            synchronized (failure) {
              failure[0] = e;
            }
          }
        }, "force-probe-" + n);
        workers[n].start();
      }
      for (Thread w : workers) {
        w.join();
      }
      synchronized (failure) {
        if (failure[0] != null) {
          throw failure[0];
        }
      }
      Histogram all = new Histogram(3);
      long total = 0;
      for (int i = 0; i < threads; i++) {
        all.add(latency[i]);
        total += forces[i];
      }
      return String.format(Locale.ROOT, "files=%s threads=%d forces_per_s=%.0f per_thread=%.0f"
              + " p50_us=%.1f p99_us=%.1f", oneFile ? "one" : "own", threads, total / seconds,
          total / seconds / threads, all.getValueAtPercentile(50) / 1e3,
          all.getValueAtPercentile(99) / 1e3);
    } finally {
      for (FileChannel ch : channels) {
        ch.close();
      }
    }
  }

  /** A file of {@code size} zero bytes, forced, so that later forces commit no size change. */
  private static FileChannel preallocated(Path file, long size) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
    for (long p = 0; p < size; p += zeros.capacity()) {
      zeros.clear();
      while (zeros.hasRemaining()) {
        ch.write(zeros, p + zeros.position());
      }
    }
    ch.force(true);
    return ch;
  }
}
