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

import dev.floe.raft.RaftOptions;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.SnapshotStore;
import dev.floe.raft.spi.StoreIdentity;
import dev.floe.raft.spi.TermAndVote;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * A node that fails is a violation, with its stack trace, unless its disk injected the failure; a
 * task that throws is one too. Either way the node is crashed, so that it can be restarted.
 */
class SimulatedNodeFailureTest {

  /** A disk whose appends fail once armed, and that says whether it failed them on purpose. */
  private static final class FailingDisk implements SimDisk {
    private final MemoryDisk disk = new MemoryDisk();
    private boolean failAppends;
    private boolean throwFromDiskThread;
    private final boolean onPurpose;

    FailingDisk(boolean onPurpose) {
      this.onPurpose = onPurpose;
    }

    @Override
    public LogStore openLog(Executor diskThread) {
      Executor thread = task -> diskThread.execute(() -> {
        if (throwFromDiskThread) {
          throw new IllegalStateException("the disk thread broke");
        }
        task.run();
      });
      return new Failing(disk.openLog(thread));
    }

    @Override
    public SnapshotStore openSnapshots() {
      return disk.openSnapshots();
    }

    @Override
    public void crash(RandomGenerator random) {
      disk.crash(random);
    }

    @Override
    public void wipe() {
      disk.wipe();
    }

    @Override
    public boolean injected(Throwable failure) {
      for (Throwable t = failure; t != null; t = t.getCause()) {
        if (t instanceof InjectedFailure) {
          return onPurpose;
        }
      }
      return false;
    }

    /** The store, whose appends fail while the disk is armed. */
    private final class Failing implements LogStore {
      private final LogStore store;

      Failing(LogStore store) {
        this.store = store;
      }

      @Override
      public void append(List<LogEntry> entries) throws IOException {
        if (failAppends) {
          throw new InjectedFailure();
        }
        store.append(entries);
      }

      @Override
      public void open() throws IOException {
        store.open();
      }

      @Override
      public Optional<StoreIdentity> identity() {
        return store.identity();
      }

      @Override
      public void saveIdentity(StoreIdentity identity) throws IOException {
        store.saveIdentity(identity);
      }

      @Override
      public TermAndVote termAndVote() {
        return store.termAndVote();
      }

      @Override
      public long firstIndex() {
        return store.firstIndex();
      }

      @Override
      public long lastIndex() {
        return store.lastIndex();
      }

      @Override
      public long term(long index) {
        return store.term(index);
      }

      @Override
      public List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes) {
        return store.entries(fromIndex, toIndexExclusive, maxBytes);
      }

      @Override
      public void truncateSuffix(long fromIndex) throws IOException {
        store.truncateSuffix(fromIndex);
      }

      @Override
      public void compactPrefix(long upToIndex) throws IOException {
        store.compactPrefix(upToIndex);
      }

      @Override
      public void reset(long nextIndex) throws IOException {
        store.reset(nextIndex);
      }

      @Override
      public void saveTermAndVote(TermAndVote termAndVote) throws IOException {
        store.saveTermAndVote(termAndVote);
      }

      @Override
      public CompletableFuture<Void> sync() {
        return store.sync();
      }

      @Override
      public void close() throws IOException {
        store.close();
      }
    }
  }

  /** What the failing disk throws. */
  private static final class InjectedFailure extends IOException {
    InjectedFailure() {
      super("no space left on the simulated device");
    }
  }

  private FailingDisk first;

  /** A cluster whose first machine has a failing disk (injecting on purpose or not). */
  private SimCluster cluster(boolean onPurpose) {
    first = null;
    return SimCluster.start(3, 61, SimCluster.defaultOptions(), RegisterStateMachine::new, null, () -> {
      FailingDisk d = new FailingDisk(onPurpose);
      if (first == null) {
        first = d;
      }
      return d;
    });
  }

  /** Makes n1 lead, then arms its disk and submits through it. */
  private void failTheLeader(SimCluster cluster, Runnable arm) {
    NodeId n1 = NodeId.of("n1");
    NodeId leader = cluster.awaitLeader(2_000);
    if (!leader.equals(n1)) {
      cluster.node(leader).transferLeadership(n1);
      assertThat(cluster.runUntil(() -> cluster.leader().equals(Optional.of(n1)), 2_000)).isTrue();
    }
    arm.run();
    cluster.submit(n1, "boom".getBytes(UTF_8));
    cluster.runFor(500);
  }

  @Test
  void aNodeStoppedByAFailureNoFaultExplainsIsAViolationWithItsStackTraceAndIsCrashed() {
    SimCluster cluster = cluster(false);
    failTheLeader(cluster, () -> first.failAppends = true);
    assertThat(cluster.nodeFailures()).isEqualTo(1);
    assertThat(cluster.isUp(NodeId.of("n1"))).as("crashed, to be restarted").isFalse();
    assertThat(cluster.violations()).singleElement().asString()
        .contains("node failure: n1 stopped", "no space left on the simulated device")
        .contains("at dev.floe.raft.NodeLoop"); // the stack trace
    first.failAppends = false;
    cluster.restart(NodeId.of("n1"));
    cluster.runFor(500);
    assertThat(cluster.status(NodeId.of("n1")).failure()).isEmpty();
  }

  @Test
  void aNodeStoppedByAFailureItsDiskInjectedIsNoViolation() {
    SimCluster cluster = cluster(true);
    failTheLeader(cluster, () -> first.failAppends = true);
    assertThat(cluster.injectedNodeFailures()).isEqualTo(1);
    assertThat(cluster.nodeFailures()).isZero();
    assertThat(cluster.isUp(NodeId.of("n1"))).isFalse();
    assertThat(cluster.violations()).isEmpty();
  }

  @Test
  void anExceptionThrownOutOfANodesTaskIsAViolationAndTheProcessDies() {
    SimCluster cluster = cluster(true);
    failTheLeader(cluster, () -> first.throwFromDiskThread = true);
    assertThat(cluster.nodeFailures()).isEqualTo(1);
    assertThat(cluster.isUp(NodeId.of("n1"))).isFalse();
    assertThat(cluster.violations()).singleElement().asString()
        .contains("node failure: a task of n1 threw", "the disk thread broke");
  }
}
