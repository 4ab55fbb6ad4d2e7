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

import dev.floe.raft.bench.snapshot.CatchUpRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How long a follower that lost its disk takes to come back from a large snapshot over loopback,
 * and how much heap the leader and the follower need for it: three nodes, each in its own JVM with
 * a small {@code -Xmx}, whose state is a file on disk (so that it needs no heap however large);
 * the state is built through commands, the leader snapshots and compacts its log, a stopped
 * follower's directory is removed and the follower started again.
 *
 * <p>See {@link CatchUpRun} for the steps and {@code docs/benchmarks.md} for the command and the
 * figures.
 */
@Command(name = "snapshot-catch-up-benchmark", mixinStandardHelpOptions = true,
    description = "Time and heap to bring a wiped follower up from a large snapshot.")
public final class SnapshotCatchUpBenchmark implements Callable<Integer> {

  @Option(names = "--size-mib", defaultValue = "1024",
      description = "state to build and transfer, in MiB (default: ${DEFAULT-VALUE})")
  int sizeMib;

  @Option(names = "--step-mib", defaultValue = "16",
      description = "MiB added by each grow command (default: ${DEFAULT-VALUE})")
  int stepMib;

  @Option(names = "--chunk-kib", defaultValue = "1024",
      description = "InstallSnapshot chunk size in KiB (default: ${DEFAULT-VALUE}, the library's default)")
  int chunkKib;

  @Option(names = "--xmx", defaultValue = "256m",
      description = "-Xmx of each node's JVM (default: ${DEFAULT-VALUE})")
  String maxHeap;

  @Option(names = "--jvm-option",
      description = "one more option for every node's JVM, such as a JFR recording; repeatable")
  List<String> jvmOptions = new ArrayList<>();

  @Option(names = "--dir",
      description = "where the nodes keep their data (default: a new temporary directory, removed afterwards)")
  Path dir;

  /** Parses the arguments and runs the benchmark. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new SnapshotCatchUpBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (sizeMib < 1 || stepMib < 1 || chunkKib < 1 || chunkKib > 8 * 1024) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--size-mib and --step-mib must be at least 1, --chunk-kib from 1 to 8192");
    }
    return CatchUpRun.run(new CatchUpRun.Settings(sizeMib, stepMib, chunkKib * 1024, maxHeap,
        List.copyOf(jvmOptions), dir),
        System.out);
  }
}
