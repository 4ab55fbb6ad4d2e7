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
package dev.floe.raft.bench;

import dev.floe.raft.bench.cluster.ClientKind;
import dev.floe.raft.bench.cluster.ClusterRun;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The end-to-end benchmark of issues 9 and 14: a three-node Floe cluster on this machine
 * (NettyTransport on loopback, FileLogStore with fsync, a state machine that does nothing) driven
 * by a closed-loop client with C outstanding submits of 100-byte values to the leader; committed
 * ops/s, latency percentiles, bytes allocated per committed op and the threads of each node per
 * C, printed beside the machine's limits measured in the same run (a raw 100-byte append plus
 * {@code force} on the same disk, a 100-byte loopback TCP round trip).
 *
 * <p>{@code --client} picks who submits the next command. {@code app} (the default, and the figure
 * to quote) drives the leader like an application, and like the peers harness: one client thread
 * owns every submit, and a completion (Floe completes submit futures on the node's apply thread)
 * only records its latency and hands its slot back to that thread through a queue. {@code inline}
 * resubmits from the completion callback on Floe's apply thread, saving the client thread's
 * wake-up per operation that a real application pays; its figures flatter Floe and every line
 * of it is labelled {@code client inline}. {@code app,inline} runs both, {@code app} first.
 *
 * <p>See {@link ClusterRun} for what each mode runs and {@code docs/benchmarks.md} for the command
 * and the figures.
 */
@Command(name = "cluster-benchmark", mixinStandardHelpOptions = true,
    description = "Three Floe nodes on this machine, a closed-loop client, and the machine's limits.")
public final class ClusterBenchmark implements Callable<Integer> {

  /** Where the nodes run. */
  public enum Mode {
    /** Three nodes in this JVM. */
    IN_JVM,
    /** Three child JVMs; the client runs inside the first, which leads. */
    PROCESSES
  }

  @Option(names = "--concurrency", split = ",", defaultValue = "1,16,64,256",
      description = "outstanding submits, one measured window each (default: ${DEFAULT-VALUE})")
  List<Integer> concurrency;

  @Option(names = "--warmup-seconds", defaultValue = "5",
      description = "warm-up before each window (default: ${DEFAULT-VALUE})")
  long warmupSeconds;

  @Option(names = "--seconds", defaultValue = "10",
      description = "length of each measured window (default: ${DEFAULT-VALUE})")
  long seconds;

  @Option(names = "--mode", defaultValue = "in-jvm", converter = ModeConverter.class,
      description = "in-jvm or processes (default: ${DEFAULT-VALUE})")
  Mode mode;

  @Option(names = "--limit-seconds", defaultValue = "3",
      description = "length of each machine-limit loop; they run before and after (default: ${DEFAULT-VALUE})")
  long limitSeconds;

  @Option(names = "--heap-seconds", defaultValue = "0",
      description = "in-jvm only: afterwards, run C=256 this long while watching the heap; 0 skips (default: ${DEFAULT-VALUE})")
  long heapSeconds;

  @Option(names = "--io-threads", defaultValue = "1",
      description = "Netty I/O threads per node (default: ${DEFAULT-VALUE})")
  int ioThreads;

  @Option(names = "--client", split = ",", defaultValue = "app", converter = ClientConverter.class,
      description = "who submits the next command: app (one client thread, like an application;"
          + " the figure to quote), inline (the completion callback on Floe's thread; flatters"
          + " Floe) or app,inline (default: ${DEFAULT-VALUE})")
  List<ClientKind> clients;

  @Option(names = "--dir",
      description = "directory on the disk to measure (default: a new temporary directory, removed afterwards)")
  Path dir;

  /** Parses the arguments and runs the benchmark. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ClusterBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ClusterRun.Settings settings = new ClusterRun.Settings(List.copyOf(concurrency), warmupSeconds,
        seconds, mode == Mode.PROCESSES, limitSeconds, heapSeconds, ioThreads, dir,
        List.copyOf(clients));
    return ClusterRun.run(settings, System.out);
  }

  /** Accepts {@code app} and {@code inline}. */
  static final class ClientConverter implements CommandLine.ITypeConverter<ClientKind> {
    @Override
    public ClientKind convert(String value) {
      return ClientKind.parse(value);
    }
  }

  /** Accepts {@code in-jvm} and {@code processes}. */
  static final class ModeConverter implements CommandLine.ITypeConverter<Mode> {
    @Override
    public Mode convert(String value) {
      return Mode.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
  }
}
