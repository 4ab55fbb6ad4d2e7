package dev.floe.raft.example;

import dev.floe.raft.NodeId;
import dev.floe.raft.SnapshotOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code node}: runs one member of the cluster until SIGTERM or SIGINT (a clean shutdown through a
 * shutdown hook) or until it is killed.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Runs one node until it is stopped (SIGTERM/SIGINT) or killed.")
final class NodeCommand implements Callable<Integer> {
  @Option(names = "--id", required = true, description = "This node's id, such as n1.")
  String id;

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

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    SnapshotOptions snapshots = snapshotOptions();
    List<URI> joinServers = joinServers();
    NodeServer server = NodeServer.start(NodeId.of(id), Addresses.cluster(cluster),
        Addresses.hostPort(http), dataDir, electionTimeoutMillis, snapshots, joinServers, learner);
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
