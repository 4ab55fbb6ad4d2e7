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

import dev.floe.raft.RaftOptions;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.sim.RegisterStateMachine;
import dev.floe.raft.sim.SimCluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Clusters of real nodes over {@link FileStoreDisk}s whose machines lose power exactly while
 * their file system holds written pages that are not durable yet, the moment a random fault
 * rarely hits: every such crash keeps a random subset of those pages, often a later one without
 * an earlier one. The cluster stays safe (the simulator's checks after every event), and once
 * healed commits and catches every node up.
 *
 * <p>{@code -Dfloe.writeback.seeds=N} changes the number of seeds.
 */
class CrashDuringWriteBackTest {
  private static final int SEEDS = Integer.getInteger("floe.writeback.seeds", 30);
  private static final int CRASHES_PER_SEED = 12;

  private record Submitted(NodeId via, CompletableFuture<SubmitResult> future) {}

  private static final class Run {
    final List<FileStoreDisk> disks = new ArrayList<>();
    final SimCluster cluster;
    final RandomGenerator random;
    long commands;

    Run(long seed) {
      cluster = SimCluster.start(3, seed, SimCluster.defaultOptions(), RegisterStateMachine::new,
          new SnapshotOptions(40, 8, 64), () -> {
            FileStoreDisk disk = new FileStoreDisk(disks.size() + 1);
            disks.add(disk);
            return disk;
          });
      random = cluster.random();
    }

    FileStoreDisk disk(NodeId id) {
      return disks.get(cluster.ids().indexOf(id));
    }

    /** A running node whose files hold at least two written pages not yet durable, or null. */
    NodeId writingNode() {
      for (NodeId id : cluster.ids()) {
        if (cluster.isUp(id) && disk(id).fileSystem().unsyncedPages() >= 2) {
          return id;
        }
      }
      return null;
    }

    /**
     * Keeps a few commands in flight through the leader, if there is one. Commands sent to a node
     * that crashed or lost the lead are forgotten: their futures may never complete.
     */
    void load(List<Submitted> inFlight) {
      Optional<NodeId> leader = cluster.leader();
      inFlight.removeIf(s -> s.future().isDone() || !leader.equals(Optional.of(s.via())));
      while (leader.isPresent() && inFlight.size() < 4) {
        String command = "w" + (++commands) + "-" + "x".repeat(64 + random.nextInt(2000));
        inFlight.add(new Submitted(leader.get(),
            cluster.submit(leader.get(), command.getBytes(StandardCharsets.UTF_8))));
      }
    }
  }

  @Test
  void powerLostWhileUnsyncedPagesAreWrittenKeepsTheClusterSafeAndLive() {
    int crashes = 0;
    int reordered = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      Run run = new Run(seed);
      SimCluster cluster = run.cluster;
      List<Submitted> inFlight = new ArrayList<>();
      for (int c = 0; c < CRASHES_PER_SEED; c++) {
        NodeId[] writing = new NodeId[1];
        boolean caught = cluster.runUntil(() -> {
          run.load(inFlight);
          writing[0] = run.writingNode();
          return writing[0] != null;
        }, 2_000);
        if (caught) {
          SimFileSystem fs = run.disk(writing[0]).fileSystem();
          int before = fs.reorderedCrashes();
          cluster.crash(writing[0]);
          crashes++;
          reordered += fs.reorderedCrashes() - before;
          cluster.runFor(50 + run.random.nextInt(300));
          cluster.restart(writing[0]);
        }
      }
      assertThat(healedClusterCatchesUp(run)).as("seed %d is live", seed).isTrue();
      assertThat(cluster.violations()).as("seed %d", seed).isEmpty();
    }
    System.out.printf("crashes during write-back: %d crashes, %d of which kept a later unsynced"
        + " page without an earlier one%n", crashes, reordered);
    assertThat(crashes).as("crashes that found unsynced pages").isGreaterThan(
        SEEDS * CRASHES_PER_SEED / 2);
    assertThat(reordered).isPositive();
  }

  private static boolean healedClusterCatchesUp(Run run) {
    SimCluster cluster = run.cluster;
    for (NodeId id : cluster.ids()) {
      if (!cluster.isUp(id)) {
        cluster.restart(id);
      }
    }
    for (int attempt = 0; attempt < 20; attempt++) {
      NodeId leader = cluster.awaitLeader(10_000);
      CompletableFuture<SubmitResult> probe = cluster.submitAndWait(leader,
          ("probe-" + attempt).getBytes(StandardCharsets.UTF_8), 5_000);
      if (probe.isDone() && !probe.isCompletedExceptionally()) {
        long index = probe.join().index();
        return cluster.runUntil(() -> cluster.ids().stream()
            .allMatch(id -> cluster.status(id).appliedIndex() >= index), 10_000);
      }
    }
    return false;
  }
}
