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
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.StoreIdentity;
import dev.floe.raft.storage.file.FileLogStore;
import dev.floe.raft.storage.file.FileLogStoreOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Durable appends of 100-byte entries to {@link FileLogStore}, against the raw rate of the same
 * disk ({@code FileChannel.write(100 bytes)} then {@code force}, one record per force) measured in
 * the same run.
 *
 * <p>Each writer appends one entry, calls {@code sync()}, waits for it, and repeats. Writers share
 * one store; as the {@code LogStore} contract requires, their calls go through one thread (an
 * executor standing in for the node's event loop), which assigns the indexes.
 *
 * <p>Arguments, all optional, as {@code key=value}: {@code dir=} (a directory on the disk to
 * measure; default: a new temporary directory, removed afterwards), {@code rounds=} (default 5;
 * each round runs the three phases in turn), {@code seconds=} per phase and round (default 2),
 * {@code entries=} at most per phase and round (default 200000), {@code writers=} for the
 * concurrent phase (default 64).
 */
public final class LogStoreBenchmark {
  private static final int ENTRY_BYTES = 100;

  private LogStoreBenchmark() {}

  /** Runs the three phases and prints their figures. */
  public static void main(String[] args) throws Exception {
    Path dir = null;
    long seconds = 2;
    int rounds = 5;
    long maxEntries = 200_000;
    int writers = 64;
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      switch (kv[0]) {
        case "dir" -> dir = Path.of(kv[1]);
        case "seconds" -> seconds = Long.parseLong(kv[1]);
        case "entries" -> maxEntries = Long.parseLong(kv[1]);
        case "writers" -> writers = Integer.parseInt(kv[1]);
        case "rounds" -> rounds = Integer.parseInt(kv[1]);
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    boolean temporary = dir == null;
    Path root = temporary ? Files.createTempDirectory("floe-logstore-bench") : dir;
    System.out.printf("disk: %s (%s), %d rounds of %d s or %d entries per phase%n",
        root, Files.getFileStore(root), rounds, seconds, maxEntries);
    try {
      // The phases alternate in rounds so that a change in the disk's load (a shared machine)
      // hits all three alike; the figures are totals over the rounds.
      Result raw = Result.EMPTY;
      Result one = Result.EMPTY;
      Result many = Result.EMPTY;
      List<Double> ratios = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        Result r = raw(root.resolve("raw-" + round + ".dat"), seconds, maxEntries);
        Result o = store(root.resolve("one-" + round), 1, seconds, maxEntries);
        Result m = store(root.resolve("many-" + round), writers, seconds, maxEntries);
        System.out.printf("round %d: raw %,.0f/s, 1 writer %,.0f/s, %d writers %,.0f/s%n",
            round + 1, r.perSecond(), o.perSecond(), writers, m.perSecond());
        ratios.add(o.perSecond() / r.perSecond());
        raw = raw.plus(r);
        one = one.plus(o);
        many = many.plus(m);
      }
      print("raw write(100 B)+force", raw);
      print("store, 1 writer", one);
      print("store, " + writers + " writers", many);
      ratios.sort(null);
      System.out.printf(
          "1 writer / raw: %.1f%% (median of rounds %.1f%%)   %d writers / 1 writer: %.1fx%n",
          100.0 * one.perSecond() / raw.perSecond(), 100.0 * ratios.get(ratios.size() / 2),
          writers, many.perSecond() / one.perSecond());
    } finally {
      if (temporary) {
        TempDirs.deleteRecursively(root);
      }
    }
  }

  private record Result(long count, long nanos, Histogram latencyNanos) {
    static final Result EMPTY = new Result(0, 0, new Histogram(3));

    Result plus(Result other) {
      Histogram sum = latencyNanos.copy();
      sum.add(other.latencyNanos);
      return new Result(count + other.count, nanos + other.nanos, sum);
    }

    double perSecond() {
      return count * 1e9 / nanos;
    }
  }

  private static void print(String name, Result result) {
    Histogram h = result.latencyNanos();
    System.out.printf("%-26s %,10.0f entries/s  (%,d in %.2f s)  latency p50 %,.0f µs  p99 %,.0f µs%n",
        name, result.perSecond(), result.count(), result.nanos() / 1e9,
        h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3);
  }

  /** One record per force: the best a durable log without group commit can do. */
  private static Result raw(Path file, long seconds, long maxEntries) throws IOException {
    Histogram latency = new Histogram(3);
    ByteBuffer record = ByteBuffer.allocateDirect(ENTRY_BYTES);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long count = 0;
    long start = System.nanoTime();
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (count < maxEntries && System.nanoTime() < deadline) {
        long t0 = System.nanoTime();
        record.clear();
        channel.write(record);
        channel.force(false);
        latency.recordValue(System.nanoTime() - t0);
        count++;
      }
    }
    return new Result(count, System.nanoTime() - start, latency);
  }

  private static Result store(Path dir, int writers, long seconds, long maxEntries)
      throws Exception {
    ExecutorService eventLoop = Executors.newSingleThreadExecutor(r -> new Thread(r, "event-loop"));
    ExecutorService writerThreads = Executors.newFixedThreadPool(writers);
    Recorder latency = new Recorder(3);
    AtomicLong appended = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    byte[] payload = new byte[ENTRY_BYTES];
    FileLogStore store = new FileLogStore(dir, FileLogStoreOptions.DEFAULTS);
    store.open();
    if (store.identity().isEmpty()) { // a new directory: the store takes no write before it
      store.saveIdentity(new StoreIdentity(ClusterId.of("bench"), NodeId.of("bench"),
          Configuration.empty()));
    }
    long[] nextIndex = {store.lastIndex() + 1}; // touched only on the event loop
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    try {
      for (int w = 0; w < writers; w++) {
        done.add(CompletableFuture.runAsync(() -> {
          while (!stop.get()) {
            long t0 = System.nanoTime();
            CompletableFuture<Void> sync = CompletableFuture.supplyAsync(() -> {
              try {
                store.append(List.of(LogEntry.command(nextIndex[0]++, 1, payload)));
                return store.sync();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }, eventLoop).thenCompose(f -> f);
            sync.join();
            long now = System.nanoTime();
            latency.recordValue(now - t0);
            if (appended.incrementAndGet() >= maxEntries || now >= deadline) {
              stop.set(true);
            }
          }
        }, writerThreads));
      }
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
      long nanos = System.nanoTime() - start;
      return new Result(appended.get(), nanos, latency.getIntervalHistogram());
    } finally {
      writerThreads.shutdown();
      eventLoop.shutdown();
      store.close();
    }
  }
}
