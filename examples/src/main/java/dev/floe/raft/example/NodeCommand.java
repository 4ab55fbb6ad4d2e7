package dev.floe.raft.example;

import dev.floe.raft.NodeId;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
      description = "Every node's Raft address: n1=127.0.0.1:7001,n2=127.0.0.1:7002,...")
  String cluster;

  @Option(names = "--http", required = true, description = "Where to serve the HTTP API: host:port.")
  String http;

  @Option(names = "--data-dir", required = true,
      description = "The node's directory: raft/ (the log) and values.log.")
  Path dataDir;

  @Option(names = "--election-timeout-ms", defaultValue = "150",
      description = "The shortest election timeout in ms; the longest is twice it (default ${DEFAULT-VALUE}).")
  long electionTimeoutMillis;

  @Override
  public Integer call() throws Exception {
    NodeServer server = NodeServer.start(NodeId.of(id), Addresses.cluster(cluster),
        Addresses.hostPort(http), dataDir, electionTimeoutMillis);
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
}
