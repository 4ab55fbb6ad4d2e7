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

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code status}: prints every server's role, term, leader and indexes, one line each. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Prints each node's role, term, leader and log indexes; for a node that stopped "
        + "taking part, why.")
final class StatusCommand implements Callable<Integer> {
  @Option(names = "--servers", required = true, description = "The nodes' HTTP addresses, comma-separated.")
  String servers;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    List<ClusterClient.ServerStatus> all =
        new ClusterClient(ClusterClient.parseServers(servers), java.time.Duration.ZERO).status();
    PrintWriter out = spec.commandLine().getOut();
    for (ClusterClient.ServerStatus s : all) {
      out.println(format(s));
    }
    out.flush();
    return all.stream().anyMatch(s -> s.status().isPresent()) ? 0 : 1;
  }

  /**
   * One line: {@code n1 leader term 2 leader n1 commit 5 applied 5 last 5 snapshot 0 (http://...)}.
   * A node that is not a voter shows {@code learner}, or {@code non-member} (waiting to join, or
   * removed), instead of its role; a node that stopped taking part shows {@code stopped}, and the
   * line ends with {@code stopped: } and the failure.
   */
  static String format(ClusterClient.ServerStatus s) {
    if (s.status().isEmpty()) {
      return String.format("%-4s %-10s %s", "?", "down", s.server() + ": " + s.problem());
    }
    JsonNode n = s.status().get();
    String membership = n.path("membership").asText("voter");
    boolean stopped = n.path("role").asText().equals("stopped");
    String role = stopped || membership.equals("voter") ? n.path("role").asText()
        : membership.equals("learner") ? "learner" : "non-member";
    String line = String.format(
        "%-4s %-10s term %-3d leader %-4s commit %-4d applied %-4d last %-4d snapshot %-4d (%s)",
        n.path("id").asText(), role, n.path("term").asLong(),
        n.path("leader").isNull() ? "-" : n.path("leader").asText(), n.path("commitIndex").asLong(),
        n.path("appliedIndex").asLong(), n.path("lastIndex").asLong(),
        n.path("snapshotIndex").asLong(), s.server());
    return stopped ? line + " stopped: " + n.path("failure").asText("no failure recorded") : line;
  }
}
