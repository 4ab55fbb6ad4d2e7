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

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code submit}: submits values one at a time, printing each committed value with its index. */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = "Submits values one at a time; exits 0 only if all were committed.")
final class SubmitCommand implements Callable<Integer> {
  @Option(names = "--servers", required = true,
      description = "The nodes' HTTP addresses: http://127.0.0.1:8001,http://127.0.0.1:8002,...")
  String servers;

  @Option(names = "--give-up-after-ms", defaultValue = "30000",
      description = "How long to retry one value (default ${DEFAULT-VALUE}).")
  long giveUpAfterMillis;

  @Parameters(arity = "1..*", paramLabel = "VALUE", description = "The values, in order.")
  List<String> values;

  @Override
  public Integer call() throws InterruptedException {
    ClusterClient client = new ClusterClient(ClusterClient.parseServers(servers),
        Duration.ofMillis(giveUpAfterMillis));
    for (String value : values) {
      try {
        ClusterClient.Committed c = client.submit(value);
        System.out.println("committed " + c.value() + " at index " + c.index() + " (term " + c.term() + ")");
      } catch (ClusterClient.SubmitFailedException e) {
        System.out.println("NOT committed " + value + ": " + e.getMessage());
        return 1;
      }
    }
    return 0;
  }
}
