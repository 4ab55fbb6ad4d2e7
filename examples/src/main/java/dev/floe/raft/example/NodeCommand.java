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

import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code node}: runs one member of the cluster until SIGTERM or SIGINT (a clean shutdown through a
 * shutdown hook) or until it is killed.
 *
 * <p>Exit status: 2 for a usage error, detected before anything starts (a bad option; no
 * {@code --cluster-id} for a new data directory that cannot fetch one); 1 if the node cannot start
 * (its data directory belongs to another node or cluster, or is corrupt; a port is in use; no member
 * told a joining node the cluster id), with one line on standard error saying why; 0 after a clean
 * stop.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Runs one node until it is stopped (SIGTERM/SIGINT) or killed.")
final class NodeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(NodeCommand.class);

  /** The exit status of a node that cannot start. */
  static final int CANNOT_START = 1;

  @Option(names = "--id", required = true, description = "This node's id, such as n1.")
  String id;

  @Option(names = "--cluster-id", paramLabel = "<id>",
      description = "The cluster's id: needed on the first start of a founding member (create one "
          + "with new-cluster-id and give the same to every founding member, and again to a node "
          + "whose data directory was lost). A --join node fetches it from the members on its first "
          + "start unless given. Later starts read it from the data directory; given, it must match.")
  String clusterId;

  @Option(names = "--cluster", required = true,
      description = "Every node's Raft address: n1=127.0.0.1:7001,n2=127.0.0.1:7002,... "
          + "With --join: the running members' and this node's.")
  String cluster;

  @Option(names = "--join", paramLabel = "<http-servers>",
      description = "Enter a running cluster instead of starting one: start with no configuration "
          + "and ask these members (HTTP addresses, as for --servers: "
          + "http://127.0.0.1:8001,...) to add this node as a voter, until they have. Safe to "
          + "keep on restarts.")
  String join;

  @Option(names = "--join-timeout-ms", paramLabel = "<ms>", defaultValue = "60000",
      description = "With --join on a new data directory and no --cluster-id: how long to keep "
          + "asking the members for the cluster's id before giving up (default ${DEFAULT-VALUE}).")
  long joinTimeoutMillis;

  @Option(names = "--learner",
      description = "With --join: ask to be added as a learner (it receives the log but does not "
          + "vote) instead of a voter; promote it later with members promote.")
  boolean learner;

  @Option(names = "--http", required = true, description = "Where to serve the HTTP API: host:port.")
  String http;

  @Option(names = "--data-dir", required = true,
      description = "The node's directory: raft/ (the log) and values.log.")
  Path dataDir;

  @Option(names = "--election-timeout-ms", defaultValue = "150",
      description = "The shortest election timeout in ms; the longest is twice it (default ${DEFAULT-VALUE}).")
  long electionTimeoutMillis;

  @Option(names = "--snapshot-every", paramLabel = "<entries>", defaultValue = "10000",
      description = "Snapshot the state and compact the log once this many entries were applied "
          + "since the last snapshot (default ${DEFAULT-VALUE}).")
  long snapshotEveryEntries;

  @Option(names = "--snapshot-every-bytes", paramLabel = "<bytes>", defaultValue = "67108864",
      description = "Also snapshot once the commands applied since the last snapshot add up to "
          + "this many bytes, whichever threshold comes first (default ${DEFAULT-VALUE}, 64 MiB).")
  long snapshotEveryBytes;

  @Option(names = "--snapshot-trailing", paramLabel = "<entries>", defaultValue = "1000",
      description = "Entries kept in the log before each snapshot, so that a follower a little "
          + "behind catches up from the log instead of by a whole snapshot (default ${DEFAULT-VALUE}).")
  long snapshotTrailingEntries;

  @Option(names = "--cluster-http", paramLabel = "<id=host:port,...>",
      description = "The nodes' HTTP addresses, this one's included: n1=127.0.0.1:8001,"
          + "n2=127.0.0.1:8002,... The live page (GET /) and GET /cluster fetch every node's state "
          + "from them; without it they show this node alone and the others as unknown.")
  String clusterHttp;

  @Option(names = "--http-header-timeout-ms", paramLabel = "<ms>",
      defaultValue = "" + HttpLimits.DEFAULT_HEADER_TIMEOUT_MILLIS,
      description = "How long a request's head may take to arrive (from the connection's opening, "
          + "or from the request's first byte on a kept-alive connection); then 408 and close "
          + "(default ${DEFAULT-VALUE}).")
  long httpHeaderTimeoutMillis;

  @Option(names = "--http-idle-timeout-ms", paramLabel = "<ms>",
      defaultValue = "" + HttpLimits.DEFAULT_IDLE_TIMEOUT_MILLIS,
      description = "How long a kept-alive connection may wait for its next request; then it is "
          + "closed (default ${DEFAULT-VALUE}).")
  long httpIdleTimeoutMillis;

  @Option(names = "--http-body-timeout-ms", paramLabel = "<ms>",
      defaultValue = "" + HttpLimits.DEFAULT_BODY_TIMEOUT_MILLIS,
      description = "How long a request's body may take to arrive after its head; then 408 and "
          + "close (default ${DEFAULT-VALUE}).")
  long httpBodyTimeoutMillis;

  @Option(names = "--http-max-connections", paramLabel = "<n>",
      defaultValue = "" + HttpLimits.DEFAULT_MAX_CONNECTIONS,
      description = "How many HTTP connections are served at once; one more is answered 503 and "
          + "closed (default ${DEFAULT-VALUE}).")
  int httpMaxConnections;

  @Option(names = "--restore-from", paramLabel = "<backup-file>",
      description = "Found a new cluster of this node alone from a backup (made by the backup "
          + "command), on an empty --data-dir, with a new --cluster-id and a --cluster naming "
          + "this node only; grow it afterwards with node --join and members add. Only for that "
          + "first start: a data directory that holds anything is refused.")
  Path restoreFrom;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    NodeServer server;
    try {
      server = startServer();
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(id + " cannot start: " + e.getMessage());
      err.flush();
      return CANNOT_START;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      System.out.println(id + " stopped cleanly");
      System.out.flush();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * Checks the options, finds the cluster id (see {@link ClusterIdLookup}) and starts the node and
   * its HTTP API; the caller closes it.
   *
   * @throws ParameterException for a usage error, before anything is started
   * @throws IOException if the node cannot start, saying why
   */
  NodeServer startServer() throws IOException, InterruptedException {
    SnapshotOptions snapshots = snapshotOptions();
    HttpLimits httpLimits = httpLimits();
    List<URI> joinServers = joinServers();
    NodeId self = parse("--id", () -> NodeId.of(id));
    Map<NodeId, InetSocketAddress> members = parse("--cluster", () -> Addresses.cluster(cluster));
    InetSocketAddress httpAddress = parse("--http", () -> Addresses.hostPort(http));
    Map<NodeId, URI> clusterHttpUris = clusterHttp();
    if (!members.containsKey(self)) {
      throw new ParameterException(spec.commandLine(),
          "--id " + self + " is not in --cluster " + members.keySet());
    }
    if (joinTimeoutMillis < 0) {
      throw new ParameterException(spec.commandLine(),
          "--join-timeout-ms must be 0 or more, not " + joinTimeoutMillis);
    }
    checkRestore(self, members);
    ClusterId given = clusterId == null ? null : parse("--cluster-id", () -> ClusterId.of(clusterId));
    ClusterIdLookup.Found found;
    try {
      found = ClusterIdLookup.forStart(dataDir, given, joinServers,
          Duration.ofMillis(joinTimeoutMillis));
    } catch (ClusterIdLookup.MissingClusterIdException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    log.info("{}: cluster {} (from {})", self, found.clusterId(), found.source());
    return NodeServer.start(self, found.clusterId(), members, httpAddress, dataDir,
        electionTimeoutMillis, snapshots, joinServers, learner, httpLimits, clusterHttpUris,
        restoreFrom);
  }

  /** {@code --restore-from} founds a cluster of this node alone, from a file that exists. */
  private void checkRestore(NodeId self, Map<NodeId, InetSocketAddress> members) {
    if (restoreFrom == null) {
      return;
    }
    if (join != null) {
      throw new ParameterException(spec.commandLine(),
          "--restore-from founds a new cluster: it does not go with --join");
    }
    if (!members.keySet().equals(java.util.Set.of(self))) {
      throw new ParameterException(spec.commandLine(), "--restore-from founds a cluster of "
          + self + " alone: give --cluster " + self + "=host:port only, not " + members.keySet()
          + " (add the other nodes afterwards with node --join)");
    }
    if (!java.nio.file.Files.isRegularFile(restoreFrom)) {
      throw new ParameterException(spec.commandLine(),
          "--restore-from: no such file: " + restoreFrom);
    }
  }

  /** The HTTP server's limits; one below 1 is a usage error naming its option. */
  HttpLimits httpLimits() {
    requireAtLeastOne("--http-header-timeout-ms", httpHeaderTimeoutMillis);
    requireAtLeastOne("--http-idle-timeout-ms", httpIdleTimeoutMillis);
    requireAtLeastOne("--http-body-timeout-ms", httpBodyTimeoutMillis);
    requireAtLeastOne("--http-max-connections", httpMaxConnections);
    return new HttpLimits(httpHeaderTimeoutMillis, httpIdleTimeoutMillis, httpBodyTimeoutMillis,
        httpMaxConnections);
  }

  /** {@code --cluster-http} as base URIs, empty without it; a bad list is a usage error. */
  Map<NodeId, URI> clusterHttp() {
    Map<NodeId, URI> uris = new LinkedHashMap<>();
    if (clusterHttp != null) {
      parse("--cluster-http", () -> Addresses.cluster(clusterHttp, "--cluster-http"))
          .forEach((node, address) -> uris.put(node, URI.create("http://" + Addresses.format(address))));
    }
    return uris;
  }

  private void requireAtLeastOne(String option, long value) {
    if (value < 1) {
      throw new ParameterException(spec.commandLine(), option + " must be at least 1, not " + value);
    }
  }

  /** Parses an option's value; a bad one is a usage error naming the option. */
  private <T> T parse(String option, Supplier<T> parser) {
    try {
      return parser.get();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }

  /**
   * The HTTP addresses given to {@code --join}, empty without it; checked here so that a bad list is
   * a usage error, before anything is started.
   */
  List<URI> joinServers() {
    if (join == null) {
      if (learner) {
        throw new ParameterException(spec.commandLine(), "--learner goes with --join");
      }
      return List.of();
    }
    List<URI> servers;
    try {
      servers = ClusterClient.parseServers(join);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--join: " + e.getMessage());
    }
    if (servers.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "--join needs the HTTP address of at least one running member");
    }
    for (URI server : servers) {
      if (server.getHost() == null || server.getPort() < 0) {
        throw new ParameterException(spec.commandLine(),
            "--join: '" + server + "' is not http://host:port");
      }
    }
    return servers;
  }

  /**
   * The snapshot options from the command line, checked here so that a bad value is reported as a
   * usage error naming the option, before anything is started.
   */
  SnapshotOptions snapshotOptions() {
    if (snapshotEveryEntries < 1) {
      throw new ParameterException(spec.commandLine(),
          "--snapshot-every must be at least 1 entry, not " + snapshotEveryEntries);
    }
    if (snapshotEveryBytes < 1) {
      throw new ParameterException(spec.commandLine(),
          "--snapshot-every-bytes must be at least 1 byte, not " + snapshotEveryBytes);
    }
    if (snapshotTrailingEntries < 0) {
      throw new ParameterException(spec.commandLine(),
          "--snapshot-trailing must be 0 or more entries, not " + snapshotTrailingEntries);
    }
    return new SnapshotOptions(snapshotEveryEntries, snapshotTrailingEntries,
        NodeServer.SNAPSHOT_CHUNK_BYTES).withThresholdBytes(snapshotEveryBytes);
  }
}
