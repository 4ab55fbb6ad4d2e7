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
