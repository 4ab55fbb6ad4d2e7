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
import dev.floe.raft.cluster.NodeId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * One node of the {@code processes} mode of {@link ClusterBenchmark}, in its own JVM.
 *
 * <p>Every node runs until its standard input reaches end of file (the parent closed it, or
 * died) or {@code --max-seconds} pass, whichever comes first. The node started with
 * {@code --client} also runs the closed-loop client against itself once it leads (the parent gives
 * the other two longer election timeouts, so it campaigns first): each client of
 * {@code --client-kinds} over every concurrency. After each window it prints to standard output
 * a {@code RESULT} line ({@code RESULT <client> <C> <committed> <window ns> <failures>
 * <bytes this JVM allocated in the window, or -1> <HdrHistogram, compressed, Base64>}) and a
 * {@code THREADS} line ({@code THREADS <client> <C> <this JVM's threads per node>}); after the last,
 * {@code DONE}, and it exits.
 */
@Command(name = "bench-node", description = "One node of the processes mode of ClusterBenchmark.")
public final class BenchNode implements Callable<Integer> {
  static final String RESULT = "RESULT";
  static final String THREADS = "THREADS";
  static final String DONE = "DONE";

  @Option(names = "--id", required = true, description = "this node's id (n1, n2 or n3)")
  String id;

  @Option(names = "--ports", required = true, split = ",",
      description = "every member's port, as id=port")
  Map<String, Integer> ports;

  @Option(names = "--dir", required = true, description = "this node's data directory")
  Path dir;

  @Option(names = "--election-timeout-millis", split = ",", defaultValue = "150,300",
      description = "the shortest and longest election timeout")
  List<Long> electionTimeoutMillis;

  @Option(names = "--io-threads", defaultValue = "1", description = "Netty I/O threads")
  int ioThreads;

  @Option(names = "--client", description = "run the closed-loop client against this node")
  boolean client;

  @Option(names = "--client-kinds", split = ",", defaultValue = "app",
      converter = ClientKindConverter.class, description = "the clients to run, in order")
  List<ClientKind> clientKinds;

  @Option(names = "--concurrency", split = ",", defaultValue = "1,16,64,256")
  List<Integer> concurrency;

  @Option(names = "--warmup-seconds", defaultValue = "5")
  long warmupSeconds;

  @Option(names = "--seconds", defaultValue = "10")
  long seconds;

  @Option(names = "--max-seconds", defaultValue = "600", description = "exit after this long at most")
  long maxSeconds;

  /** Runs one node; see the class comment. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchNode()).execute(args));
  }

  private Map<NodeId, Integer> portById;

  @Override
  public Integer call() throws Exception {
    Map<NodeId, Integer> portById = new LinkedHashMap<>();
    ports.forEach((k, v) -> portById.put(NodeId.of(k), v));
    RaftOptions options = RaftOptions.defaults()
        .withElectionTimeout(electionTimeoutMillis.get(0), electionTimeoutMillis.get(1));
    RaftNode node = BenchCluster.node(NodeId.of(id), portById, dir, options, ioThreads);
    this.portById = portById;
    CountDownLatch stdinClosed = new CountDownLatch(1);
    Thread watcher = new Thread(() -> awaitEndOfInput(System.in, stdinClosed), "stdin-watcher");
    watcher.setDaemon(true);
    watcher.start();
    node.start();
    try {
      if (client) {
        runClient(node);
      } else {
        stdinClosed.await(maxSeconds, TimeUnit.SECONDS);
      }
    } finally {
      node.close();
    }
    return 0;
  }

  private void runClient(RaftNode node) throws InterruptedException {
    BenchCluster.awaitLeader(List.of(node), 30_000);
    List<NodeId> elsewhere = portById.keySet().stream().filter(n -> !n.value().equals(id)).toList();
    for (ClientKind kind : clientKinds) {
      ClosedLoopClient loop = ClosedLoopClient.create(kind, node::submit);
      for (int c : concurrency) {
        ClosedLoopClient.Result r = loop.run(c, warmupSeconds, seconds);
        String threads = ThreadCensus.ofThisJvm(portById).line(elsewhere);
        System.out.println(String.join(" ", RESULT, kind.label(), Integer.toString(c),
            Long.toString(r.committed()), Long.toString(r.windowNanos()),
            Long.toString(r.failures()), Long.toString(r.allocatedBytes()),
            encode(r.latencyNanos())));
        System.out.println(String.join(" ", THREADS, kind.label(), Integer.toString(c), threads));
        System.out.flush();
      }
    }
    System.out.println(DONE);
    System.out.flush();
  }

  /** Parses {@code app} or {@code inline} for picocli. */
  static final class ClientKindConverter implements CommandLine.ITypeConverter<ClientKind> {
    @Override
    public ClientKind convert(String value) {
      return ClientKind.parse(value);
    }
  }

  private static void awaitEndOfInput(InputStream in, CountDownLatch closed) {
    try {
      while (in.read() >= 0) {
        // the parent never writes; it only closes
      }
    } catch (IOException e) {
      // treated as closed
    }
    closed.countDown();
  }

  static String encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
  }

  static Histogram decode(String text) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(text)), 0);
    } catch (java.util.zip.DataFormatException e) {
      throw new IllegalArgumentException("not an encoded histogram", e);
    }
  }
}
