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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.IdentityMismatchException;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.sim.RegisterStateMachine;
import dev.floe.raft.sim.SimCluster;
import dev.floe.raft.spi.TermAndVote;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An operator's mistakes on a stopped machine of a simulated cluster over the real file store:
 * the node refuses to start, naming the missing or foreign file, instead of starting with
 * forgotten or borrowed state.
 */
class OperatorFaultTest {
  private final List<FileStoreDisk> disks = new ArrayList<>();
  private SimCluster cluster;
  private NodeId leader;

  @BeforeEach
  void startACommittingCluster() {
    cluster = SimCluster.start(3, 5, SimCluster.defaultOptions(), RegisterStateMachine::new, null,
        () -> {
          FileStoreDisk disk = new FileStoreDisk(disks.size() + 1);
          disks.add(disk);
          return disk;
        });
    leader = cluster.awaitLeader(10_000);
    for (int i = 0; i < 5; i++) {
      assertThat(cluster.submitAndWait(leader, ("v" + i).getBytes(StandardCharsets.UTF_8), 5_000))
          .isCompleted();
    }
  }

  private FileStoreDisk disk(NodeId id) {
    return disks.get(cluster.ids().indexOf(id));
  }

  /** The durable term and vote on a node's disk. */
  private TermAndVote durableVote(NodeId id) throws Exception {
    return MetaFile.read(disk(id).fileSystem(), FileStoreDisk.DATA).orElseThrow().termAndVote();
  }

  private NodeId followerThatVoted() throws Exception {
    for (NodeId id : cluster.ids()) {
      if (!id.equals(leader) && leader.equals(durableVote(id).votedFor())) {
        return id;
      }
    }
    throw new AssertionError("no follower voted for " + leader);
  }

  @Test
  void aFollowerWhoseMetaWasDeletedAfterItVotedRefusesToStartNamingTheFile() throws Exception {
    NodeId follower = followerThatVoted();
    assertThat(durableVote(follower).term()).isPositive();
    cluster.crash(follower);
    disk(follower).loseMetaFile();

    assertThatThrownBy(() -> cluster.restart(follower))
        .isInstanceOf(UncheckedIOException.class)
        .cause()
        .isInstanceOf(InconsistentStoreException.class)
        .hasMessageContaining(FileStoreDisk.DATA.resolve(MetaFile.NAME) + " is missing")
        .hasMessageContaining("vote twice");
    assertThat(cluster.isUp(follower)).isFalse();
  }

  @Test
  void aNodeWhoseMetaWasCopiedFromAnotherMachineRefusesToStartNamingTheFile() throws Exception {
    NodeId follower = followerThatVoted();
    cluster.crash(follower);
    disk(follower).copyFileOf(disk(leader), MetaFile.NAME);

    assertThatThrownBy(() -> cluster.restart(follower))
        .cause()
        .isInstanceOf(InconsistentStoreException.class)
        .hasMessageContaining(FileStoreDisk.DATA.resolve(MetaFile.NAME) + " belongs to directory");
  }

  @Test
  void aNodeWhoseDirectoryWasReplacedByAnotherMachinesRefusesToStart() {
    NodeId follower = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst()
        .orElseThrow();
    cluster.crash(follower);
    disk(follower).replaceWithCopyOf(disk(leader));

    assertThatThrownBy(() -> cluster.restart(follower))
        .cause()
        .isInstanceOf(IdentityMismatchException.class)
        .hasMessageContaining(FileStoreDisk.DATA.toString())
        .hasMessageContaining("records node id " + leader)
        .hasMessageContaining("started with " + follower);
  }
}
