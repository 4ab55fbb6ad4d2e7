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
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.spi.StoreIdentity;
import dev.floe.raft.storage.file.FileLogStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the {@code node} command takes the cluster's id from when it starts a node:
 *
 * <ol>
 *   <li>{@code --cluster-id}, if given (the node checks it against its data directory, if that
 *       records one);
 *   <li>otherwise the data directory, which records the id from the node's first start;
 *   <li>otherwise (a new data directory) a running member, for a node started with {@code --join}:
 *       its {@code GET /status} tells the id, asked until one answers or the time is up;
 *   <li>otherwise nothing: a founding member's first start needs {@code --cluster-id}.
 * </ol>
 *
 * <p>So the id is created once, when the cluster is (by {@code new-cluster-id}, or by {@code demo}
 * for its nodes), and every node keeps it in its own directory from then on.
 */
final class ClusterIdLookup {
  /** The pause between two rounds of asking the members. */
  private static final long PAUSE_MILLIS = 250;

  private ClusterIdLookup() {}

  /** A cluster id and where it came from, for the log. */
  record Found(ClusterId clusterId, String source) {}

  /** A new data directory got no cluster id and has no member to ask: a usage error. */
  static final class MissingClusterIdException extends Exception {
    MissingClusterIdException(String message) {
      super(message);
    }
  }

  /**
   * Finds the cluster id for a start of a node on {@code dataDir}, by the rules above.
   *
   * @param given {@code --cluster-id}, or null
   * @param join the {@code --join} servers, empty without it
   * @param fetchTimeout how long to keep asking them, on a new data directory
   * @throws MissingClusterIdException if a new data directory gets no id and has no one to ask
   * @throws IOException if the data directory cannot be read (corrupt, or in use by another
   *     process), or no member told the id in time (the message names them and the last problem)
   */
  static Found forStart(Path dataDir, ClusterId given, List<URI> join,
      Duration fetchTimeout) throws MissingClusterIdException, IOException, InterruptedException {
    if (given != null) {
      return new Found(given, "--cluster-id");
    }
    Path raft = dataDir.resolve("raft");
    Optional<StoreIdentity> recorded = recordedIdentity(raft);
    if (recorded.isPresent()) {
      return new Found(recorded.get().clusterId(), "its data directory");
    }
    if (join.isEmpty()) {
      throw new MissingClusterIdException("--cluster-id is needed: " + raft + " records no "
          + "cluster yet, so this is the node's first start. Create an id once for the new cluster "
          + "(floe-example.jar new-cluster-id) and give the same --cluster-id to every founding "
          + "member; a node that enters a running cluster with --join fetches it from the members");
    }
    return fetch(join, fetchTimeout);
  }

  /**
   * Returns what the log store in {@code raftDir} records about whom it belongs to; empty for a
   * new directory. Opening the store runs its recovery, as the node's start would.
   */
  static Optional<StoreIdentity> recordedIdentity(Path raftDir) throws IOException {
    if (!Files.isDirectory(raftDir)) {
      return Optional.empty();
    }
    FileLogStore store = new FileLogStore(raftDir);
    try {
      store.open();
      return store.identity();
    } finally {
      store.close();
    }
  }

  /**
   * Asks the servers' {@code GET /status} for the cluster id, round after round, until one tells it
   * or {@code timeout} has passed.
   *
   * @throws IOException if none told it in time, naming the servers and the last problem
   */
  static Found fetch(List<URI> servers, Duration timeout)
      throws IOException, InterruptedException {
    ClusterClient client = new ClusterClient(servers, Duration.ZERO);
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastProblem = "no server asked";
    while (true) {
      for (ClusterClient.ServerStatus s : client.status()) {
        if (s.status().isEmpty()) {
          lastProblem = s.server() + ": " + s.problem();
          continue;
        }
        JsonNode id = s.status().get().path("clusterId");
        try {
          if (id.isTextual()) {
            return new Found(ClusterId.of(id.asText()), s.server().toString());
          }
          lastProblem = s.server() + " answered without a cluster id";
        } catch (IllegalArgumentException e) {
          lastProblem = s.server() + " answered a bad cluster id: " + e.getMessage();
        }
      }
      long leftNanos = deadline - System.nanoTime();
      if (leftNanos <= 0) {
        break;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(leftNanos, TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS)));
    }
    throw new IOException("no member told the cluster's id within " + timeout.toMillis()
        + " ms (asked " + servers + " with GET /status; last: " + lastProblem + "). Start this "
        + "node once a member of the cluster runs, or give it --cluster-id");
  }
}
