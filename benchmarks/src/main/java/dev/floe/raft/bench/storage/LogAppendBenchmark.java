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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The log append path: {@code FileLogStore.append} of a batch of 100-byte entries, then {@code
 * sync()} and wait until durable, as the node does for one Ready. Scores are per entry; a batch of
 * 64 shares one force, so its score shows what batching buys. The store lives in a new temporary
 * directory (set {@code -Dfloe.bench.dir=} to put it on another disk), removed afterwards.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LogAppendBenchmark {
  private final byte[] value = new byte[100];
  private Path dir;
  private FileLogStore store;
  private long nextIndex = 1;

  /** Opens a store in a new directory. */
  @Setup(Level.Trial)
  public void open() throws IOException {
    String base = System.getProperty("floe.bench.dir");
    dir = base == null ? Files.createTempDirectory("floe-jmh-log")
        : Files.createTempDirectory(Path.of(base), "floe-jmh-log");
    store = new FileLogStore(dir);
    store.open();
    if (store.identity().isEmpty()) { // a new directory: the store takes no write before it
      store.saveIdentity(new StoreIdentity(ClusterId.of("bench"), NodeId.of("bench"),
          Configuration.empty()));
    }
  }

  /** Closes the store and removes its directory. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    TempDirs.deleteRecursively(dir);
  }

  private void appendAndSync(int batch) throws IOException {
    List<LogEntry> entries = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      entries.add(LogEntry.command(nextIndex++, 1, value));
    }
    store.append(entries);
    store.sync().join();
  }

  /** One entry per append and force. */
  @Benchmark
  public void appendSync1() throws IOException {
    appendAndSync(1);
  }

  /** 64 entries per append and force (score per entry). */
  @Benchmark
  @OperationsPerInvocation(64)
  public void appendSync64() throws IOException {
    appendAndSync(64);
  }

  /** 1024 entries (the most in one AppendEntries) per append and force (score per entry). */
  @Benchmark
  @OperationsPerInvocation(1024)
  public void appendSync1024() throws IOException {
    appendAndSync(1024);
  }
}
