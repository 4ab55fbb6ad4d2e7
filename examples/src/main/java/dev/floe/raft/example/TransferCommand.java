package dev.floe.raft.example;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code transfer}: moves the leadership to a named node, or to the most up-to-date follower. */
@Command(name = "transfer", mixinStandardHelpOptions = true,
    description = "Moves the leadership to --to, or to the most up-to-date follower.")
final class TransferCommand implements Callable<Integer> {
  @Option(names = "--servers", required = true, description = "The nodes' HTTP addresses, comma-separated.")
  String servers;

  @Option(names = "--to", description = "The node to lead (default: the most up-to-date follower).")
  String to;

  @Override
  public Integer call() throws InterruptedException {
    try {
      String leader = new ClusterClient(ClusterClient.parseServers(servers), java.time.Duration.ZERO)
          .transfer(to);
      System.out.println(leader + " now leads");
      return 0;
    } catch (ClusterClient.SubmitFailedException e) {
      System.out.println("transfer failed: " + e.getMessage());
      return 1;
    }
  }
}
