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
package dev.floe.raft.storage.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.CommitUnknownException;
import dev.floe.raft.NotLeaderException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.sim.InProcessNetwork;
import dev.floe.raft.sim.RegisterStateMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real driver and core over {@link FileLogStore} and {@link FileSnapshotStore} on real files and
 * threads: restarts recover from disk, and a wiped node catches up by a snapshot.
 */
class ClusterOnFilesTest {
  private static final SnapshotOptions SNAPSHOTS = new SnapshotOptions(50, 10, 256);
  private final List<NodeId> ids = List.of(NodeId.of("a"), NodeId.of("b"), NodeId.of("c"));
  private final InProcessNetwork network = new InProcessNetwork();
  private final Map<NodeId, RaftNode> nodes = new ConcurrentHashMap<>();
  @TempDir Path dir;

  @AfterEach
  void stop() {
    nodes.values().forEach(RaftNode::close);
  }

  private void start(NodeId id) throws IOException {
    Path data = dir.resolve(id.value());
    RaftNode n = RaftNode.builder().id(id).clusterId(dev.floe.raft.cluster.ClusterId.of("test")).members(ids).stateMachine(new RegisterStateMachine())
        .transport(network.transport(id)).logStore(new FileLogStore(data.resolve("log")))
        .snapshots(new FileSnapshotStore(data.resolve("snapshots")), SNAPSHOTS).build();
    n.start();
    nodes.put(id, n);
  }

  private NodeId currentLeader() {
    return nodes.values().stream().map(RaftNode::status).filter(RaftStatus::isLeader)
        .map(RaftStatus::id).findFirst().orElse(null);
  }

  private NodeId leader() {
    NodeId known = currentLeader();
    return known != null ? known
        : await().atMost(Duration.ofSeconds(10)).until(this::currentLeader, id -> id != null);
  }

  private void submit(String value) throws Exception {
    for (int attempt = 0; ; attempt++) {
      try {
        nodes.get(leader()).submit(value.getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        // A leader change under load may leave a write's fate unknown; writing the same value
        // again is harmless to a register read only for its last value.
        boolean retry = e.getCause() instanceof NotLeaderException
            || e.getCause() instanceof CommitUnknownException;
        if (!retry || attempt > 50) {
          throw e;
        }
      }
    }
  }

  private String read(NodeId id) throws Exception {
    return new String(nodes.get(id).query(new byte[0], ReadConsistency.LOCAL).get(5, TimeUnit.SECONDS), UTF_8);
  }

  @Test
  void aRestartedClusterRecoversFromItsFilesAndAWipedNodeCatchesUpBySnapshot() throws Exception {
    for (NodeId id : ids) {
      start(id);
    }
    for (int i = 1; i <= 120; i++) {
      submit("v" + i);
    }
    // Every node restarts from its own files.
    for (NodeId id : ids) {
      nodes.remove(id).close();
    }
    for (NodeId id : ids) {
      start(id);
    }
    submit("v121");
    for (NodeId id : ids) {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(read(id)).isEqualTo("v121"));
    }
    // A node loses its disk while down; the others compact past everything it had.
    NodeId victim = ids.stream().filter(id -> !id.equals(leader())).findFirst().orElseThrow();
    nodes.remove(victim).close();
    deleteRecursively(dir.resolve(victim.value()));
    for (int i = 122; i <= 200; i++) {
      submit("v" + i);
    }
    start(victim);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(read(victim)).isEqualTo("v200"));
    assertThat(Files.list(dir.resolve(victim.value()).resolve("snapshots")).count()).isPositive();
  }

  private static void deleteRecursively(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
