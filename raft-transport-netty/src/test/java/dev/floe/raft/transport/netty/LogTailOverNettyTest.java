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
package dev.floe.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.RaftNode;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes that keep no applied entry in memory ({@code logCacheBytes(0)}) on real files and sockets:
 * a follower that was down is brought up to date from entries the leader reads back from its log
 * files, and the restarted follower itself replays its own log to its state machine by reading it
 * back, with every value in order on every node.
 */
class LogTailOverNettyTest {
  private final List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  @TempDir Path dir;
  private FileNodes cluster;

  @AfterEach
  void close() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aFollowerThatWasDownCatchesUpFromEntriesReadBackFromTheLeadersLog() throws Exception {
    cluster = new FileNodes(dir, ClusterId.random());
    cluster.addresses.putAll(FreePorts.on127(ids));
    for (NodeId id : ids) {
      cluster.start(id, b -> b.members(ids)
          .options(FileNodes.OPTIONS.toBuilder().logCacheBytes(0).build()));
    }
    List<String> written = new ArrayList<>(cluster.write("before", 40));
    NodeId leader = cluster.awaitLeader();
    NodeId down = ids.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    cluster.stop(down);

    written.addAll(cluster.write("while-down", 120));
    cluster.start(down, b -> b.members(ids)
        .options(FileNodes.OPTIONS.toBuilder().logCacheBytes(0).build()));
    written.addAll(cluster.write("after", 10));

    for (NodeId id : ids) {
      await().atMost(FileNodes.WAIT).until(() -> cluster.values.get(id).strings().size()
          >= written.size());
      assertThat(cluster.values.get(id).strings()).as("values applied on %s", id)
          .containsExactlyElementsOf(written);
    }
    // The status is published by each node's loop at its next pass (up to a tick after applying).
    RaftNode restarted = cluster.nodes.get(down);
    await().atMost(FileNodes.WAIT).untilAsserted(() ->
        assertThat(restarted.status().appliedIndex())
            .isEqualTo(cluster.nodes.get(leader).status().appliedIndex()));
  }
}
