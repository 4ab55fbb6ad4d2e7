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
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node started with {@code --join} does once it runs: it asks the cluster, over HTTP, to add
 * it as a voter (or, with {@code --learner}, as a learner) with {@code POST /members}, and asks
 * again until the change is committed.
 *
 * <p>Asking is safe however often it happens: adding a member that is already one changes nothing
 * (a voter stays a voter, even when it asks to be a learner), and a learner that did not catch up
 * in time to be promoted is promoted by the next request. So a joined node restarted with the same
 * command asks once more and is answered at once. The request goes to the
 * servers given to {@code --join} and, last, to this node's own HTTP API (a restarted member may be
 * the leader itself). The request names this node's cluster id, which the member checks: a node
 * never asks another cluster to add it.
 *
 * <p>One background thread, ended by {@link #close()}.
 */
final class Joiner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Joiner.class);
  /** The pause between two rounds of asking, after every server refused or was unreachable. */
  private static final long PAUSE_MILLIS = 1_000;
  /** How long one round keeps retrying at the servers (a 503, a 504, the leader's 409). */
  private static final Duration ROUND = Duration.ofSeconds(20);

  private final NodeId id;
  private final ClusterId clusterId;
  private final String raftAddress;
  private final String role;
  private final ClusterClient client;
  private final Thread thread;
  private volatile boolean closed;

  private Joiner(NodeId id, ClusterId clusterId, String raftAddress, boolean learner,
      List<URI> servers) {
    this.id = id;
    this.clusterId = clusterId;
    this.raftAddress = raftAddress;
    this.role = learner ? "learner" : "voter";
    this.client = new ClusterClient(servers, ROUND);
    this.thread = new Thread(this::run, id + "-joiner");
    this.thread.setDaemon(true);
  }

  /**
   * Starts asking.
   *
   * @param id this node
   * @param clusterId this node's cluster, which the members must belong to
   * @param raftAddress this node's Raft address ({@code host:port}), recorded in the configuration
   *     so that every member can reach it
   * @param learner whether to ask to be a learner rather than a voter
   * @param servers the HTTP addresses of running members, then this node's own
   */
  static Joiner start(NodeId id, ClusterId clusterId, String raftAddress, boolean learner,
      List<URI> servers) {
    Joiner joiner = new Joiner(id, clusterId, raftAddress, learner, new ArrayList<>(servers));
    joiner.thread.start();
    return joiner;
  }

  private void run() {
    ObjectNode request = Json.MAPPER.createObjectNode();
    request.put("id", id.value());
    request.put("address", raftAddress);
    request.put("role", role);
    request.put("clusterId", clusterId.value());
    String body = new String(Json.bytes(request), StandardCharsets.UTF_8);
    log.info("{}: asking the cluster to add it as a {} at {}", id, role, raftAddress);
    while (!closed) {
      try {
        JsonNode configuration = client.changeMembers("POST", "/members", body);
        boolean voter = false;
        for (JsonNode v : configuration.path("voters")) {
          voter |= v.asText().equals(id.value());
        }
        log.info("{}: a {} of the cluster: voters {}, learners {}", id,
            voter ? "voter" : "learner", configuration.path("voters"),
            configuration.path("learners"));
        return;
      } catch (ClusterClient.SubmitFailedException e) {
        if (e.status() == 400) {
          log.error("{}: the cluster refuses the request to join, giving up: {}", id, e.getMessage());
          return;
        }
        log.warn("{}: not a {} yet, asking again: {}", id, role, e.getMessage());
      } catch (InterruptedException e) {
        return; // closed
      }
      try {
        TimeUnit.MILLISECONDS.sleep(PAUSE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Stops asking (the node is stopping); waits briefly for the thread. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
