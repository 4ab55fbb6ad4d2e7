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

import dev.floe.raft.Backup;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code backup}: asks a running node ({@code POST /backup}) for a backup of the cluster's state and
 * writes it to a file, checked ({@link Backup#verify}) before it replaces anything. The backup holds
 * every write acknowledged before the command started; {@code node --restore-from} founds a new
 * cluster from it.
 *
 * <p>Exit status: 0 once the file is written and checked, 1 if the node could not make one or the
 * file it sent is damaged (nothing is written then), 2 for a usage error.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = "Writes a backup of a running cluster's state to a file (any node can make it).")
final class BackupCommand implements Callable<Integer> {
  @Option(names = "--node", required = true, paramLabel = "<http-address>",
      description = "The HTTP address of a running node: http://127.0.0.1:8001.")
  String node;

  @Option(names = "--out", required = true, paramLabel = "<file>",
      description = "Where to write the backup; replaced atomically if it exists.")
  Path out;

  @Option(names = "--timeout-ms", defaultValue = "120000", paramLabel = "<ms>",
      description = "How long to wait for the node's backup (default ${DEFAULT-VALUE}).")
  long timeoutMillis;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    URI uri = backupUri();
    PrintWriter stdout = spec.commandLine().getOut();
    Path tmp = out.resolveSibling(out.getFileName() + ".part");
    try {
      HttpResponse<Path> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
          .build().send(HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(timeoutMillis))
              .POST(HttpRequest.BodyPublishers.noBody()).build(),
              HttpResponse.BodyHandlers.ofFile(tmp));
      if (response.statusCode() != 200) {
        String error = Files.readString(tmp, StandardCharsets.UTF_8);
        stdout.println("backup failed: " + uri + " answered " + response.statusCode() + ": "
            + error);
        return 1;
      }
      Backup.Info info = Backup.verify(tmp);
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      stdout.println("backup written to " + out + ": index " + info.index() + ", term "
          + info.term() + ", " + info.sizeBytes() + " bytes of state");
      return 0;
    } catch (IOException e) {
      stdout.println("backup failed: " + e.getMessage());
      return 1;
    } finally {
      stdout.flush();
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // left for the operator; the next backup replaces it
      }
    }
  }

  private URI backupUri() {
    try {
      URI base = URI.create(node.endsWith("/") ? node : node + "/");
      if (base.getHost() == null || base.getPort() < 0) {
        throw new IllegalArgumentException("not http://host:port");
      }
      return base.resolve("backup");
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(),
          "--node: '" + node + "' is not http://host:port");
    }
  }
}
