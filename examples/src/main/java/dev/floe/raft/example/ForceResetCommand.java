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

import dev.floe.raft.DisasterRecovery;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.storage.file.FileLogStore;
import dev.floe.raft.storage.file.FileSnapshotStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code members force-reset}: disaster recovery, offline, on a stopped node's data directory
 * ({@link DisasterRecovery#forceMembership}): the node's membership becomes the given voters, so
 * that the survivors of a cluster that lost its majority for good can elect a leader again. <b>It
 * may lose acknowledged writes</b>, and so it runs only with {@value #CONFIRM}.
 *
 * <p>Exit status: 0 once the reset is durable (or nothing needed changing), 1 if it was refused
 * (another node's directory, a voter that is no member, a running node holding the directory),
 * 2 for a usage error (such as a missing confirmation).
 */
@Command(name = "force-reset", mixinStandardHelpOptions = true,
    description = "DISASTER RECOVERY on a STOPPED node's data directory: makes the given voters "
        + "the whole membership. May lose acknowledged writes. Run it on one survivor only.")
final class ForceResetCommand implements Callable<Integer> {
  static final String CONFIRM = "--yes-i-may-lose-acknowledged-writes";

  @Option(names = "--data-dir", required = true,
      description = "The stopped node's directory (the node command's --data-dir).")
  Path dataDir;

  @Option(names = "--node-id", required = true, description = "The node's id, such as n1.")
  String nodeId;

  @Option(names = "--voters", required = true, split = ",", paramLabel = "<id>",
      description = "The voters from now on, this node among them: n1 or n1,n2.")
  List<String> voters;

  @Option(names = CONFIRM,
      description = "Confirms that you know writes the lost members acknowledged may be gone.")
  boolean confirmed;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    NodeId self = parse("--node-id", nodeId);
    List<NodeId> wanted = new ArrayList<>();
    voters.forEach(v -> wanted.add(parse("--voters", v)));
    if (!confirmed) {
      throw new ParameterException(spec.commandLine(), "members force-reset may lose writes the "
          + "cluster acknowledged; add " + CONFIRM + " if the lost members will never return");
    }
    Path raft = dataDir.resolve("raft");
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.isDirectory(raft)) {
      out.println("members force-reset refused: " + raft + " does not exist; --data-dir must be "
          + "the stopped node's directory");
      out.flush();
      return 1;
    }
    out.println("WARNING: forcing the membership of " + self + " to " + wanted + ". Writes the "
        + "lost members acknowledged may be lost for good, and writes never acknowledged may "
        + "become committed. Never start the lost members again with their old data.");
    try {
      DisasterRecovery.Reset reset = DisasterRecovery.forceMembership(new FileLogStore(raft),
          new FileSnapshotStore(raft.resolve("snapshots")), self, wanted);
      out.println("before: voters " + reset.before().voters() + ", learners "
          + reset.before().learners());
      out.println("after:  voters " + reset.after().voters() + ", learners "
          + reset.after().learners());
      out.println(reset.changed()
          ? "written: configuration entry at index " + reset.index() + ", term " + reset.term()
              + ". Start the node as before; it can now lead " + reset.after().voters()
          : "unchanged: the membership already is " + reset.after().voters() + " (term "
              + reset.term() + ")");
      return 0;
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      out.println("members force-reset refused: " + e.getMessage());
      return 1;
    } finally {
      out.flush();
    }
  }

  private NodeId parse(String option, String value) {
    try {
      return NodeId.of(value.trim());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }
}
