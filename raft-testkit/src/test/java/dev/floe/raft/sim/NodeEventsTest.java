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
package dev.floe.raft.sim;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.NodeEvent;
import dev.floe.raft.RaftNode;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node tells its listener of elections, with their reasons, membership changes and snapshots. */
class NodeEventsTest {
  private static final List<NodeId> IDS = List.of(NodeId.of("a"), NodeId.of("b"), NodeId.of("c"));
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final InProcessNetwork network = new InProcessNetwork();
  private final Map<NodeId, RaftNode> nodes = new ConcurrentHashMap<>();
  private final Map<NodeId, List<NodeEvent>> events = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    nodes.values().forEach(RaftNode::close);
  }

  private void startAll() throws Exception {
    for (NodeId id : IDS) {
      List<NodeEvent> seen = new CopyOnWriteArrayList<>();
      events.put(id, seen);
      RaftNode n = RaftNode.builder().id(id).clusterId(ClusterId.of("events")).members(IDS)
          .stateMachine(new RegisterStateMachine()).transport(network.transport(id))
          .logStore(new InMemoryLogStore())
          .snapshots(new InMemorySnapshotStore(), new SnapshotOptions(1_000_000, 0, 1024))
          .listener(seen::add).build();
      n.start();
      nodes.put(id, n);
    }
  }

  private NodeId awaitLeader() {
    return await().atMost(WAIT).until(() -> nodes.values().stream()
        .filter(n -> n.status().isLeader()).map(RaftNode::id).findFirst().orElse(null),
        id -> id != null);
  }

  private List<NodeEvent.RoleChanged> roleChanges(NodeId id) {
    return events.get(id).stream().filter(e -> e instanceof NodeEvent.RoleChanged)
        .map(e -> (NodeEvent.RoleChanged) e).toList();
  }

  @Test
  void anElectionIsReportedWithItsTermAndReasonOnTheWinnerAndTheFollowers() throws Exception {
    startAll();
    NodeId leader = awaitLeader();
    long term = nodes.get(leader).status().term();

    await().atMost(WAIT).untilAsserted(() -> assertThat(roleChanges(leader)).last()
        .isEqualTo(new NodeEvent.RoleChanged(leader, Role.LEADER, term,
            java.util.Optional.of(leader), NodeEvent.Reason.ELECTION_WON)));
    assertThat(roleChanges(leader)).anyMatch(e -> e.role() == Role.CANDIDATE
        && e.reason() == NodeEvent.Reason.ELECTION_TIMEOUT);
  }

  @Test
  void aTransferIsReportedAsSuchOnTheNewLeader() throws Exception {
    startAll();
    NodeId leader = awaitLeader();
    NodeId target = IDS.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    nodes.get(leader).submit("x".getBytes(UTF_8)).get();

    nodes.get(leader).transferLeadership(target).get();

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(roleChanges(target)).anyMatch(e -> e.role() == Role.CANDIDATE
          && e.reason() == NodeEvent.Reason.LEADERSHIP_TRANSFER);
      assertThat(roleChanges(target)).last().extracting(NodeEvent.RoleChanged::role)
          .isEqualTo(Role.LEADER);
      assertThat(roleChanges(leader)).last().extracting(NodeEvent.RoleChanged::role)
          .isEqualTo(Role.FOLLOWER);
    });
  }

  @Test
  void membershipChangesAndSnapshotsAreReported() throws Exception {
    startAll();
    NodeId leader = awaitLeader();
    NodeId learner = NodeId.of("d");

    nodes.get(leader).addLearner(learner, "").get();
    long snapshotIndex = nodes.get(leader).takeSnapshot().get();

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(events.get(leader)).anyMatch(e -> e instanceof NodeEvent.MembershipChanged m
          && m.configuration().isLearner(learner));
      assertThat(events.get(leader)).anyMatch(e -> e instanceof NodeEvent.SnapshotTaken t
          && t.index() == snapshotIndex && t.sizeBytes() > 0);
    });
  }
}
