package dev.floe.raft.example;

import dev.floe.raft.cluster.ClusterId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code new-cluster-id}: prints a new random cluster id ({@link ClusterId#random()}: 32 hex
 * digits), to give as {@code --cluster-id} to every founding member of a cluster started by hand.
 */
@Command(name = "new-cluster-id", mixinStandardHelpOptions = true,
    description = "Prints a new random cluster id, for the --cluster-id of a new cluster's nodes.")
final class NewClusterIdCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println(ClusterId.random().value());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
