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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.IdentityMismatchException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftNodeBuilder;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.StoreIdentity;
import dev.floe.raft.spi.TermAndVote;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node knows who it is from its own disk: the first start records the cluster id, the node id and
 * the founding members, and every later start is checked against them. Before, the member list given
 * at start was used on every start until a membership change reached the log, so an edited list
 * made a one-node "cluster" that elected itself beside the real one; and any node's or cluster's
 * data directory was taken as this node's own.
 */
class NodeIdentityTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final List<NodeId> THREE = List.of(N1, N2, N3);
  private static final ClusterId CLUSTER = ClusterId.of("cluster-a");

  private final InProcessNetwork network = new InProcessNetwork();
  private final List<RaftNode> started = new ArrayList<>();

  @AfterEach
  void stop() {
    started.forEach(RaftNode::close);
  }

  private RaftNodeBuilder node(NodeId id, InMemoryLogStore.Disk disk) {
    return RaftNode.builder().id(id).stateMachine(new RegisterStateMachine())
        .transport(network.transport(id)).logStore(new InMemoryLogStore(disk, Runnable::run));
  }

  private RaftNode start(RaftNodeBuilder builder) throws Exception {
    RaftNode n = builder.build();
    started.add(n);
    n.start();
    return n;
  }

  /** Starts a node on {@code disk} once, so that the disk records its identity, then stops it. */
  private void firstStart(NodeId id, ClusterId cluster, List<NodeId> members,
      InMemoryLogStore.Disk disk) throws Exception {
    RaftNode n = start(node(id, disk).clusterId(cluster).members(members));
    n.close();
  }

  @Test
  void aFoundingMemberRestartedWithAnEditedMemberListRefusesToStart() throws Exception {
    InMemoryLogStore.Disk disk = new InMemoryLogStore.Disk();
    firstStart(N1, CLUSTER, THREE, disk);

    assertThatThrownBy(() -> start(node(N1, disk).clusterId(CLUSTER).members(List.of(N1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[n1]").hasMessageContaining("founded with, [n1, n2, n3]");
  }

  @Test
  void aOneNodeClusterRestartedWithThreeMembersRefusesToBecomeAThreeVoterOne() throws Exception {
    InMemoryLogStore.Disk disk = new InMemoryLogStore.Disk();
    RaftNode solo = start(node(N1, disk).clusterId(CLUSTER).members(List.of(N1)));
    await().atMost(Duration.ofSeconds(10)).until(() -> solo.status().isLeader());
    solo.submit("x=1".getBytes(UTF_8)).get();
    solo.close();

    assertThatThrownBy(() -> start(node(N1, disk).members(THREE)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("founded with, [n1]");
    RaftNode again = start(node(N1, disk));
    assertThat(again.configuration().voters()).containsExactly(N1);
  }

  @Test
  void aLaterStartNeedsNoMembersNorClusterIdAndTakesThemFromItsDisk() throws Exception {
    InMemoryLogStore.Disk disk = new InMemoryLogStore.Disk();
    firstStart(N1, CLUSTER, THREE, disk);

    RaftNode n = start(node(N1, disk));

    assertThat(n.clusterId()).contains(CLUSTER);
    assertThat(n.configuration()).isEqualTo(Configuration.ofVoters(THREE));
  }

  @Test
  void theFoundingMembersGivenAgainInAnotherOrderAreAccepted() throws Exception {
    InMemoryLogStore.Disk disk = new InMemoryLogStore.Disk();
    firstStart(N1, CLUSTER, THREE, disk);

    RaftNode n = start(node(N1, disk).clusterId(CLUSTER).members(List.of(N3, N1, N2)));

    assertThat(n.configuration().voters()).containsExactly(N1, N2, N3);
  }

  @Test
  void aCopyOfAnotherNodesDirectoryIsRefusedNamingBothNodes() throws Exception {
    InMemoryLogStore.Disk disk = new InMemoryLogStore.Disk();
    firstStart(N2, CLUSTER, THREE, disk);

    assertThatThrownBy(() -> start(node(N1, disk).clusterId(CLUSTER).members(THREE)))
        .isInstanceOfSatisfying(IdentityMismatchException.class, e -> {
          assertThat(e.found()).isEqualTo("n2");
          assertThat(e.expected()).isEqualTo("n1");
        })
        .hasMessageContaining("node id n2").hasMessageContaining("started with n1");
  }

  @Test
  void theSameNamedNodesDirectoryOfAnotherClusterIsRefusedNamingBothClusters() throws Exception {
    InMemoryLogStore.Disk disk = new InMemoryLogStore.Disk();
    firstStart(N1, ClusterId.of("cluster-b"), THREE, disk);

    assertThatThrownBy(() -> start(node(N1, disk).clusterId(CLUSTER).members(THREE)))
        .isInstanceOfSatisfying(IdentityMismatchException.class, e -> {
          assertThat(e.found()).isEqualTo("cluster-b");
          assertThat(e.expected()).isEqualTo("cluster-a");
        });
  }

  @Test
  void aStoreThatHoldsDataButNoIdentityIsRefusedRatherThanTakenForANewOne() throws Exception {
    InMemoryLogStore.Disk disk = new InMemoryLogStore.Disk();
    InMemoryLogStore raw = new InMemoryLogStore(disk, Runnable::run);
    raw.open();
    raw.saveTermAndVote(new TermAndVote(3, N2));
    raw.append(List.of(LogEntry.noop(1, 3)));
    raw.sync().join();

    assertThatThrownBy(() -> start(node(N1, disk).clusterId(CLUSTER).members(THREE)))
        .hasMessageContaining("holds data").hasMessageContaining("no identity");
  }

  @Test
  void aNewStoreNeedsAClusterIdAndEitherFoundingMembersOrJoin() {
    InMemoryLogStore.Disk disk = new InMemoryLogStore.Disk();

    assertThatThrownBy(() -> start(node(N1, disk).members(THREE)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clusterId(...)");
    assertThatThrownBy(() -> start(node(N1, new InMemoryLogStore.Disk()).clusterId(CLUSTER)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("members(...)");
  }

  @Test
  void aJoinedNodeIsRefusedFoundingMembersAndAFounderIsRefusedJoin() throws Exception {
    InMemoryLogStore.Disk joined = new InMemoryLogStore.Disk();
    start(node(N3, joined).clusterId(CLUSTER).join()).close();
    InMemoryLogStore.Disk founder = new InMemoryLogStore.Disk();
    firstStart(N1, CLUSTER, THREE, founder);

    assertThatThrownBy(() -> start(node(N3, joined).members(THREE)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("joined");
    assertThatThrownBy(() -> start(node(N1, founder).join()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("founding member");
  }

  @Test
  void memberListsNamingANodeTwiceAreRefusedWhenBuilt() {
    assertThatThrownBy(() -> node(N1, new InMemoryLogStore.Disk()).clusterId(CLUSTER)
        .members(List.of(N1, N1, N2)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than once");
  }

  @Test
  void theFirstStartRecordsTheIdentityBeforeAnythingElse() throws Exception {
    InMemoryLogStore.Disk disk = new InMemoryLogStore.Disk();
    firstStart(N1, CLUSTER, THREE, disk);

    InMemoryLogStore reopened = new InMemoryLogStore(disk, Runnable::run);
    reopened.open();
    assertThat(reopened.identity())
        .contains(new StoreIdentity(CLUSTER, N1, Configuration.ofVoters(THREE)));
  }
}
