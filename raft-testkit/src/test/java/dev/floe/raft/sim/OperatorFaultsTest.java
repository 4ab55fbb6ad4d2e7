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

import dev.floe.raft.IdentityMismatchException;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.SnapshotStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An operator's mistakes on a stopped machine, scripted: each start the node must refuse is
 * refused, and undoing the mistake lets it start again. The last test shows that the randomized
 * simulation finds a store that takes a lost term and vote for new.
 */
class OperatorFaultsTest {
  private SimCluster cluster;

  @AfterEach
  void noSafetyViolations() {
    if (cluster != null) {
      assertThat(cluster.violations()).isEmpty();
    }
  }

  private static NodeId n(int i) {
    return NodeId.of("n" + i);
  }

  /** A cluster whose followers have made their identity, term and log durable. */
  private NodeId startedCluster(long seed) {
    cluster = SimCluster.start(3, seed);
    NodeId leader = cluster.awaitLeader(2_000);
    cluster.submitAndWait(leader, "x".getBytes(UTF_8), 1_000).join();
    cluster.runFor(200);
    return leader;
  }

  private NodeId follower(NodeId leader) {
    return cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  @Test
  void aFounderRestartedWithAnEditedMemberListIsRefusedAndStartsWithItsOwn() {
    NodeId f = follower(startedCluster(51));
    cluster.crash(f);
    for (List<NodeId> edited : List.of(List.of(f), List.of(f, n(4)), List.of(n(1), n(2), n(3), n(4)))) {
      Optional<Exception> refusal = cluster.tryRestartWithMembers(f, edited);
      assertThat(refusal).as("members %s", edited).isPresent();
      assertThat(refusal.get()).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("match neither");
      assertThat(cluster.isUp(f)).isFalse();
    }
    assertThat(cluster.tryRestartWithMembers(f, List.of(n(3), n(1), n(2)))).as("reordered").isEmpty();
  }

  @Test
  void theVotersInEffectAreAcceptedAsTheMembersOfARestart() {
    NodeId leader = startedCluster(52);
    cluster.addNode(n(4));
    cluster.node(leader).addVoter(n(4), "");
    assertThat(cluster.runUntil(() -> cluster.configuration(leader).isVoter(n(4)), 3_000)).isTrue();
    NodeId f = follower(leader);
    cluster.runFor(200);
    cluster.crash(f);
    assertThat(cluster.tryRestartWithMembers(f, List.of(n(1), n(2), n(3), n(4)))).isEmpty();
    assertThat(cluster.configuration(f).voters()).containsExactly(n(1), n(2), n(3), n(4));
  }

  @Test
  void swappedDataDirectoriesAreRefusedAndStartOnceSwappedBack() {
    NodeId leader = startedCluster(53);
    NodeId a = follower(leader);
    cluster.crash(a);
    cluster.crash(leader);
    cluster.swapDisks(a, leader);
    for (NodeId id : List.of(a, leader)) {
      Optional<Exception> refusal = cluster.tryRestart(id);
      assertThat(refusal).as(id.toString()).containsInstanceOf(IdentityMismatchException.class);
    }
    cluster.swapDisks(a, leader);
    cluster.restart(a);
    cluster.restart(leader);
    NodeId now = cluster.awaitLeader(3_000);
    assertThat(cluster.submitAndWait(now, "y".getBytes(UTF_8), 1_000)).isCompleted();
  }

  @Test
  void aDiskThatLostItsTermAndVoteIsRefusedAndStartsWithThemOnceRestored() {
    NodeId f = follower(startedCluster(54));
    long term = cluster.status(f).term();
    cluster.crash(f);
    assertThat(cluster.loseTermAndVote(f)).isTrue();
    Optional<Exception> refusal = cluster.tryRestart(f);
    assertThat(refusal).containsInstanceOf(IOException.class);
    assertThat(refusal.get()).hasMessageContaining("term and vote record is missing")
        .hasMessageContaining(f.toString());
    cluster.restoreTermAndVote(f);
    cluster.restart(f);
    assertThat(cluster.status(f).term()).isEqualTo(term);
  }

  @Test
  void aBlankDiskHasNoTermAndVoteToLose() {
    MemoryDisk blank = new MemoryDisk();
    assertThat(blank.loseTermAndVote()).isFalse();
  }

  /**
   * A disk whose store, like a file store that reads a missing meta file as new, opens after
   * losing its term and vote, with term 0 and no vote.
   */
  private static final class ForgetfulDisk implements SimDisk {
    private final InMemoryLogStore.Disk log = new InMemoryLogStore.Disk();
    private final InMemorySnapshotStore.Shelf shelf = new InMemorySnapshotStore.Shelf();

    @Override
    public LogStore openLog(Executor diskThread) {
      return InMemoryLogStore.forSimulator(log, diskThread::execute);
    }

    @Override
    public SnapshotStore openSnapshots() {
      return new InMemorySnapshotStore(shelf);
    }

    @Override
    public void crash(RandomGenerator random) {
      log.crash(random);
    }

    @Override
    public void wipe() {
      log.wipe();
      shelf.wipe();
    }

    @Override
    public boolean loseTermAndVote() {
      if (!log.loseTermAndVote()) {
        return false;
      }
      log.write(s -> s.hasTermAndVote = true); // the store reads the missing record as new
      log.makeDurable(1);
      return true;
    }

    @Override
    public void restoreTermAndVote() {
      log.restoreTermAndVote();
    }
  }

  @Test
  void theSimulationFindsAStoreThatTakesALostTermAndVoteForNew() {
    List<String> found = new ArrayList<>();
    for (long seed = 1; seed <= 10 && found.isEmpty(); seed++) {
      SimulationReport r = Simulation.builder().nodes(3).seed(seed).disks(ForgetfulDisk::new).run();
      r.violations().stream().filter(v -> v.contains("lost meta taken for new")).forEach(found::add);
      assertThat(r.replay()).contains("seed " + seed, "@SimulationTest(replay = " + seed + ")");
    }
    assertThat(found).isNotEmpty();
  }
}
