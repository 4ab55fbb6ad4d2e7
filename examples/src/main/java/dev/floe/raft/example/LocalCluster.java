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
package dev.floe.raft.example;

import dev.floe.raft.cluster.ClusterId;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of example nodes on 127.0.0.1, each a child {@code java} process of this program's own
 * classpath: what {@code demo} runs, and what the end-to-end tests drive.
 *
 * <p>Node {@code i} (from 0) is {@code n<i+1>}, keeps its data in {@code <baseDir>/n<i+1>} and writes
 * its output to {@code <baseDir>/n<i+1>.out}. Ports are picked free at creation and kept across
 * restarts. The nodes created with the cluster form it; {@link #addJoiningNode()} prepares one
 * more that enters it with {@code node --join} (see {@link #start}). Only processes this object
 * started are ever stopped or killed, through their {@link Process} handles. Not thread-safe,
 * except {@link #close()}.
 *
 * <p>The cluster gets a new random id when it is created ({@link #clusterId()}). The founding
 * members are given it with {@code --cluster-id} on every start (harmless once their data
 * directory records it, and what brings back a node whose directory was wiped); a joining node is
 * not, and fetches it from the members on its first start.
 */
public final class LocalCluster implements AutoCloseable {
  private final Path baseDir;
  private final ClusterId clusterId = ClusterId.random();
  private final String classpath;
  private final long electionTimeoutMillis;
  private final List<String> extraNodeArgs;
  /** Every node, those added with {@link #addJoiningNode()} after the first ones. */
  private final List<Node> nodes = new CopyOnWriteArrayList<>();

  /** One node: its ports, its command line's cluster options, and its process once started. */
  private static final class Node {
    final int raftPort;
    final int httpPort;
    /** {@code --cluster}, filled in once every initial node has its port. */
    String clusterSpec;
    /** {@code --join}, or null for the initial nodes. */
    String joinServers;
    /** Options of this node alone, after those of every node. */
    List<String> ownArgs = List.of();
    volatile Process process;

    Node(int raftPort, int httpPort) {
      this.raftPort = raftPort;
      this.httpPort = httpPort;
    }
  }

  private LocalCluster(Path baseDir, String classpath, int size, long electionTimeoutMillis,
      List<String> extraNodeArgs) throws IOException {
    this.baseDir = baseDir;
    this.classpath = classpath;
    this.electionTimeoutMillis = electionTimeoutMillis;
    this.extraNodeArgs = List.copyOf(extraNodeArgs);
    for (int i = 0; i < size; i++) {
      nodes.add(new Node(freePort(), freePort()));
    }
    String spec = clusterSpec();
    for (Node n : nodes) {
      n.clusterSpec = spec;
    }
  }

  /**
   * Prepares (does not start) a cluster.
   *
   * @param baseDir where the nodes keep their data
   * @param size how many nodes
   * @param electionTimeoutMillis the nodes' shortest election timeout
   */
  public static LocalCluster create(Path baseDir, int size, long electionTimeoutMillis)
      throws IOException {
    return create(baseDir, size, electionTimeoutMillis, List.of());
  }

  /**
   * Prepares (does not start) a cluster whose nodes all get {@code extraNodeArgs} after the options
   * this class sets, such as {@code List.of("--snapshot-every", "20")}.
   *
   * @param baseDir where the nodes keep their data
   * @param size how many nodes
   * @param electionTimeoutMillis the nodes' shortest election timeout
   * @param extraNodeArgs more options of the {@code node} command, passed to every node as given
   */
  public static LocalCluster create(Path baseDir, int size, long electionTimeoutMillis,
      List<String> extraNodeArgs) throws IOException {
    Files.createDirectories(baseDir);
    return new LocalCluster(baseDir, System.getProperty("java.class.path"), size,
        electionTimeoutMillis, extraNodeArgs);
  }

  /** Returns the cluster's id, created with it. */
  public ClusterId clusterId() {
    return clusterId;
  }

  /** Returns how many nodes the cluster has: the initial ones and those added since. */
  public int size() {
    return nodes.size();
  }

  /**
   * Prepares (does not start) one more node, {@code n<size+1>}, on new free ports, to enter the
   * running cluster: {@link #start} runs it with {@code --join} and the HTTP addresses of every
   * node before it, and {@code --cluster} with their Raft addresses and its own. Both are fixed
   * here, so a restart runs the same command.
   *
   * @return the new node's index
   */
  public int addJoiningNode() throws IOException {
    return addJoiningNode(List.of());
  }

  /**
   * As {@link #addJoiningNode()}, with more options for this node alone, such as
   * {@code List.of("--learner")}.
   *
   * @return the new node's index
   */
  public int addJoiningNode(List<String> ownArgs) throws IOException {
    List<URI> others = httpUris();
    Node node = new Node(freePort(), freePort());
    nodes.add(node);
    node.clusterSpec = clusterSpec();
    StringJoiner join = new StringJoiner(",");
    others.forEach(uri -> join.add(uri.toString()));
    node.joinServers = join.toString();
    node.ownArgs = List.copyOf(ownArgs);
    return nodes.size() - 1;
  }

  /** Returns node {@code i}'s Raft address, {@code 127.0.0.1:port}. */
  public String raftAddress(int i) {
    return "127.0.0.1:" + nodes.get(i).raftPort;
  }

  /** Returns node {@code i}'s id, {@code n<i+1>}. */
  public String id(int i) {
    return "n" + (i + 1);
  }

  /** Returns the index of the node with id {@code id}, or -1. */
  public int indexOf(String id) {
    for (int i = 0; i < size(); i++) {
      if (id(i).equals(id)) {
        return i;
      }
    }
    return -1;
  }

  /** Returns node {@code i}'s HTTP base address. */
  public URI httpUri(int i) {
    return URI.create("http://127.0.0.1:" + nodes.get(i).httpPort);
  }

  /** Returns every node's HTTP base address. */
  public List<URI> httpUris() {
    List<URI> uris = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      uris.add(httpUri(i));
    }
    return uris;
  }

  /** Returns node {@code i}'s data directory. */
  public Path dataDir(int i) {
    return baseDir.resolve(id(i));
  }

  /** Returns node {@code i}'s values.log. */
  public Path valuesLog(int i) {
    return dataDir(i).resolve("values.log");
  }

  /** Returns the cluster's base directory. */
  public Path baseDir() {
    return baseDir;
  }

  /** Starts every node that is not running. */
  public void startAll() throws IOException {
    for (int i = 0; i < size(); i++) {
      if (!isRunning(i)) {
        start(i);
      }
    }
  }

  /**
   * Starts node {@code i} as a child process: {@code node --id n<i+1> --cluster ... --http ...
   * --data-dir ... --election-timeout-ms ... --cluster-http ...} (every node's HTTP address, for
   * the live page), plus {@code --cluster-id ...} for a founding member
   * or {@code --join ...} for a node added with {@link #addJoiningNode()}, then the extra options
   * given at creation, then the node's own.
   */
  public void start(int i) throws IOException {
    start(i, List.of());
  }

  /**
   * As {@link #start(int)}, with the {@code java} command line appended to {@code launcher}: such
   * as {@code List.of("/bin/sh", "-c", "ulimit -f 4096 && exec \"$@\"", "sh")}, a shell that
   * limits the size of the files the node may write, then becomes the node (so that the process
   * this object stops is the node's).
   */
  public void start(int i, List<String> launcher) throws IOException {
    if (isRunning(i)) {
      throw new IllegalStateException(id(i) + " is already running");
    }
    Node node = nodes.get(i);
    List<String> command = new ArrayList<>(launcher);
    command.addAll(List.of(javaExecutable(), "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", classpath, Main.class.getName(), "node",
        "--id", id(i), "--cluster", node.clusterSpec, "--http", "127.0.0.1:" + node.httpPort,
        "--data-dir", dataDir(i).toString(),
        "--election-timeout-ms", Long.toString(electionTimeoutMillis),
        "--cluster-http", clusterHttpSpec()));
    if (node.joinServers != null) {
      command.addAll(List.of("--join", node.joinServers));
    } else {
      command.addAll(List.of("--cluster-id", clusterId.value()));
    }
    command.addAll(extraNodeArgs);
    command.addAll(node.ownArgs);
    Path out = output(i);
    node.process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
  }

  /** Whether node {@code i}'s process is alive. */
  public boolean isRunning(int i) {
    Process p = nodes.get(i).process;
    return p != null && p.isAlive();
  }

  /** Returns the file node {@code i}'s output (standard output and error) is appended to. */
  public Path output(int i) {
    return baseDir.resolve(id(i) + ".out");
  }

  /**
   * Waits until node {@code i}'s process has exited, for at most {@code timeout}, and returns its
   * exit status.
   *
   * @throws IllegalStateException if it was never started or still runs after {@code timeout}
   */
  public int awaitExit(int i, java.time.Duration timeout) throws InterruptedException {
    Process p = nodes.get(i).process;
    if (p == null) {
      throw new IllegalStateException(id(i) + " was never started");
    }
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(id(i) + " still runs after " + timeout);
    }
    return p.exitValue();
  }

  /**
   * Returns how node {@code i}'s process ended (137 after {@link #kill}, 143 after {@link #stop}),
   * or empty if it runs or was never started. May be called from any thread.
   */
  public OptionalInt exitStatus(int i) {
    Process p = nodes.get(i).process;
    return p == null || p.isAlive() ? OptionalInt.empty() : OptionalInt.of(p.exitValue());
  }

  /** Returns node {@code i}'s process id, or -1 if it is not running. */
  public long pid(int i) {
    return isRunning(i) ? nodes.get(i).process.pid() : -1;
  }

  /** Kills node {@code i} at once, as {@code kill -9} does, and waits until it is gone. */
  public void kill(int i) throws InterruptedException {
    Process p = nodes.get(i).process;
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Stops node {@code i} cleanly (SIGTERM, which runs its shutdown hook) and waits until it is
   * gone; kills it if it takes more than 10 seconds.
   */
  public void stop(int i) throws InterruptedException {
    Process p = nodes.get(i).process;
    if (p != null && p.isAlive()) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        kill(i);
      }
    }
  }

  /** Stops every node this cluster started: cleanly first, then by force. */
  @Override
  public void close() {
    List<Process> processes = new ArrayList<>();
    for (Node n : nodes) {
      Process p = n.process;
      if (p != null) {
        processes.add(p);
        p.destroy();
      }
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Every node's Raft address, as {@code --cluster} takes them. */
  private String clusterSpec() {
    StringJoiner spec = new StringJoiner(",");
    for (int i = 0; i < size(); i++) {
      spec.add(id(i) + "=" + raftAddress(i));
    }
    return spec.toString();
  }

  /** Every node's HTTP address, as {@code --cluster-http} takes them: for the live page. */
  private String clusterHttpSpec() {
    StringJoiner spec = new StringJoiner(",");
    for (int i = 0; i < size(); i++) {
      spec.add(id(i) + "=127.0.0.1:" + nodes.get(i).httpPort);
    }
    return spec.toString();
  }

  private static String javaExecutable() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return Files.isExecutable(java) ? java.toString() : "java";
  }

  /** Ports handed out by this JVM, so that two nodes never get the same one. */
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  /**
   * A port that is free now, below the range the system draws outgoing connections' ports from
   * (Linux: 32768-60999). A port from that range (as binding port 0 gives) can be taken by one of
   * the nodes' own outgoing connections before the node that is to listen on it starts or
   * restarts.
   */
  static int freePort() throws IOException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + random.nextInt(12_000);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException inUse) {
        // taken by another program: try another
      }
    }
    throw new IOException("no free port found in 20000-31999 after 200 attempts");
  }
}
