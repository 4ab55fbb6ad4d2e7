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
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code members}: shows and changes the cluster's membership through the HTTP API
 * ({@code /members}), at the leader: {@code list}, {@code add}, {@code promote} and {@code remove};
 * and {@code force-reset}, disaster recovery on a stopped node's directory ({@link
 * ForceResetCommand}).
 */
@Command(name = "members", mixinStandardHelpOptions = true,
    description = "Shows or changes the cluster's members (one at a time, through the leader).",
    subcommands = {
      MembersCommand.ListMembers.class,
      MembersCommand.AddMember.class,
      MembersCommand.PromoteMember.class,
      MembersCommand.RemoveMember.class,
      ForceResetCommand.class
    })
final class MembersCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The options every subcommand takes. */
  static final class ServerOptions {
    @Option(names = "--servers", required = true,
        description = "The nodes' HTTP addresses: http://127.0.0.1:8001,http://127.0.0.1:8002,...")
    String servers;

    @Option(names = "--give-up-after-ms", defaultValue = "90000",
        description = "How long to keep retrying a change: no leader yet, outcome unknown, a "
            + "server down (default ${DEFAULT-VALUE}).")
    long giveUpAfterMillis;

    ClusterClient client() {
      return new ClusterClient(ClusterClient.parseServers(servers),
          Duration.ofMillis(giveUpAfterMillis));
    }
  }

  /** {@code members list}: the configuration as the leader sees it. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Prints the voters and learners with their Raft addresses, as the leader sees them.")
  static final class ListMembers implements Callable<Integer> {
    @Mixin ServerOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      try {
        print(out, options.client().members());
        return 0;
      } catch (ClusterClient.SubmitFailedException e) {
        out.println("members list failed: " + e.getMessage());
        return 1;
      }
    }
  }

  /** {@code members add}: adds a voter (a learner first, promoted once caught up) or a learner. */
  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Adds a node: as a voter once it has caught up with the leader's log, or as a "
          + "learner (--learner). The node must be running (node --join) to catch up.")
  static final class AddMember implements Callable<Integer> {
    @Mixin ServerOptions options;
    @Spec CommandSpec spec;

    @Option(names = "--id", required = true, description = "The node's id, such as n4.")
    String id;

    @Option(names = "--address", required = true,
        description = "The node's Raft address, host:port, such as 127.0.0.1:7004.")
    String address;

    @Option(names = "--learner", description = "Add it as a learner: it gets the log, no vote.")
    boolean learner;

    @Override
    public Integer call() throws InterruptedException {
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.put("id", id);
      body.put("address", address);
      body.put("role", learner ? "learner" : "voter");
      return change(spec, options, "add", "POST", "/members",
          new String(Json.bytes(body), StandardCharsets.UTF_8),
          id + " is a " + (learner ? "learner" : "voter"));
    }
  }

  /** {@code members promote}: makes a learner a voter once it has caught up. */
  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = "Makes a learner a voter, once it has caught up with the leader's log.")
  static final class PromoteMember implements Callable<Integer> {
    @Mixin ServerOptions options;
    @Spec CommandSpec spec;

    @Option(names = "--id", required = true, description = "The learner's id.")
    String id;

    @Override
    public Integer call() throws InterruptedException {
      return change(spec, options, "promote", "POST", "/members/" + id + "/promote", null,
          id + " is a voter");
    }
  }

  /** {@code members remove}: removes a voter or a learner (the leader too). */
  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Removes a voter or a learner; stop its process once this returns. Removing "
          + "the leader is allowed: it hands over once the change is committed.")
  static final class RemoveMember implements Callable<Integer> {
    @Mixin ServerOptions options;
    @Spec CommandSpec spec;

    @Option(names = "--id", required = true, description = "The member's id.")
    String id;

    @Override
    public Integer call() throws InterruptedException {
      return change(spec, options, "remove", "DELETE", "/members/" + id, null,
          id + " is no longer a member");
    }
  }

  private static int change(CommandSpec spec, ServerOptions options, String name, String method,
      String path, String body, String done) throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    try {
      JsonNode configuration = options.client().changeMembers(method, path, body);
      out.println(done);
      print(out, configuration);
      return 0;
    } catch (ClusterClient.SubmitFailedException e) {
      out.println("members " + name + " failed: " + e.getMessage());
      return 1;
    }
  }

  /**
   * One line per member, voters first, then who answered:
   * <pre>
   * voter    n1   127.0.0.1:7001
   * learner  n4   127.0.0.1:7004
   * (as n1 sees it; leader n1)
   * </pre>
   */
  static void print(PrintWriter out, JsonNode configuration) {
    JsonNode addresses = configuration.path("addresses");
    for (String role : new String[] {"voters", "learners"}) {
      for (JsonNode member : configuration.path(role)) {
        out.println(String.format("%-8s %-4s %s", role.substring(0, role.length() - 1),
            member.asText(), addresses.path(member.asText()).asText("-")));
      }
    }
    JsonNode leader = configuration.path("leader");
    out.println("(as " + configuration.path("node").asText() + " sees it; leader "
        + (leader.isTextual() ? leader.asText() : "unknown") + ")");
    out.flush();
  }
}
