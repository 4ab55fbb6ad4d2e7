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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.DisasterRecovery;
import dev.floe.raft.IdentityMismatchException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.TermAndVote;
import dev.floe.raft.storage.file.FileLogStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DisasterRecovery#forceMembership} on real data directories: a three-node cluster that
 * lost two of them for good comes back as the survivor alone, with its data, and grows to three
 * again; the reset is idempotent and refuses what cannot be right without writing anything.
 */
@ExtendWith(LeakCheck.class)
class DisasterRecoveryOverNettyTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final List<NodeId> IDS = List.of(N1, N2, N3);

  @TempDir Path dir;
  private FileNodes cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Founds n1..n3, writes {@code before}, snapshots n1 part-way, and stops them all. */
  private List<String> runAndStopCluster() throws Exception {
    cluster = new FileNodes(dir, ClusterId.random());
    cluster.found(IDS);
    List<String> written = new ArrayList<>(cluster.write("early", 30));
    // Everyone has applied them: n1's snapshot then covers them, and its log starts after it.
    for (NodeId id : IDS) {
      await().atMost(FileNodes.WAIT).until(() -> cluster.values.get(id).applied.size() >= 30);
    }
    cluster.nodes.get(N1).takeSnapshot().get(30, TimeUnit.SECONDS);
    written.addAll(cluster.write("late", 20));
    await().atMost(FileNodes.WAIT)
        .until(() -> cluster.values.get(N1).strings().containsAll(written));
    cluster.close();
    return written;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private DisasterRecovery.Reset force(NodeId self, List<NodeId> voters) throws IOException {
    return DisasterRecovery.forceMembership(cluster.logStore(self), cluster.snapshotStore(self),
        self, voters);
  }

  /** The last index and the term and vote of a stopped node's log. */
  private String logState(NodeId id) throws IOException {
    try (FileLogStore store = cluster.logStore(id)) {
      store.open();
      return store.firstIndex() + ".." + store.lastIndex() + " " + store.termAndVote();
    }
  }

  @Test
  void aSurvivorOfALostMajorityLeadsAloneWithItsDataAndGrowsToThreeAgain() throws Exception {
    List<String> written = runAndStopCluster();
    deleteTree(dir.resolve("n2"));
    deleteTree(dir.resolve("n3"));

    DisasterRecovery.Reset reset = force(N1, List.of(N1));

    assertThat(reset.changed()).isTrue();
    assertThat(reset.before().voters()).containsExactlyElementsOf(IDS);
    assertThat(reset.after()).isEqualTo(Configuration.ofVoters(List.of(N1)));
    // Started with its founding arguments, as an operator's unit file would: the entry rules.
    RaftNode n1 = cluster.start(N1, b -> b.members(IDS));
    assertThat(cluster.awaitLeader()).isEqualTo(N1);
    assertThat(n1.status().term()).isGreaterThan(reset.term());
    assertThat(n1.configuration()).isEqualTo(reset.after());
    await().atMost(FileNodes.WAIT).until(() -> cluster.values.get(N1).strings().equals(written));
    written.addAll(cluster.write("alone", 5));

    for (NodeId id : List.of(N2, N3)) {
      cluster.start(id, b -> b.join());
      n1.addVoter(id, cluster.address(id)).get(30, TimeUnit.SECONDS);
    }
    written.addAll(cluster.write("three", 5));

    assertThat(n1.configuration().voters()).containsExactlyElementsOf(IDS);
    for (NodeId id : IDS) {
      await().atMost(FileNodes.WAIT).untilAsserted(
          () -> assertThat(cluster.values.get(id).strings()).containsExactlyElementsOf(written));
    }
  }

  @Test
  void aSecondResetToTheSameVotersWritesNothing() throws Exception {
    runAndStopCluster();
    DisasterRecovery.Reset first = force(N1, List.of(N1));
    String afterFirst = logState(N1);

    DisasterRecovery.Reset second = force(N1, List.of(N1));

    assertThat(second.changed()).isFalse();
    assertThat(second.index()).isZero();
    assertThat(second.before()).isEqualTo(first.after());
    assertThat(second.after()).isEqualTo(first.after());
    assertThat(second.term()).isEqualTo(first.term());
    assertThat(logState(N1)).isEqualTo(afterFirst);
  }

  @Test
  void aResetToTwoSurvivorsKeepsBothAndRecordsANewTermWithNoVote() throws Exception {
    runAndStopCluster();
    String before = logState(N1);

    DisasterRecovery.Reset reset = force(N1, List.of(N2, N1));

    assertThat(reset.after().voters()).containsExactly(N1, N2);
    assertThat(reset.after().learners()).isEmpty();
    try (FileLogStore store = cluster.logStore(N1)) {
      store.open();
      assertThat(store.lastIndex()).isEqualTo(reset.index());
      assertThat(store.term(reset.index())).isEqualTo(reset.term());
      assertThat(store.termAndVote()).isEqualTo(new TermAndVote(reset.term(), null));
      assertThat(Configuration.decode(store.entries(reset.index(), reset.index() + 1, 1 << 20)
          .get(0).data())).isEqualTo(reset.after());
    }
    assertThat(before).isNotEqualTo(logState(N1));
  }

  @Test
  void badVoterSetsAreRefusedAndNothingIsWritten() throws Exception {
    runAndStopCluster();
    String before = logState(N1);

    assertThatThrownBy(() -> force(N1, List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no voters");
    assertThatThrownBy(() -> force(N1, List.of(N1, N1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than once");
    assertThatThrownBy(() -> force(N1, List.of(N2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not include n1");
    assertThatThrownBy(() -> force(N1, List.of(N1, NodeId.of("n9"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[n9] are not members");

    assertThat(logState(N1)).isEqualTo(before);
  }

  @Test
  void anotherNodesDataDirectoryIsRefused() throws Exception {
    runAndStopCluster();
    String before = logState(N2);

    assertThatThrownBy(() -> DisasterRecovery.forceMembership(cluster.logStore(N2),
        cluster.snapshotStore(N2), N1, List.of(N1)))
        .isInstanceOf(IdentityMismatchException.class).hasMessageContaining("node id n2");

    assertThat(logState(N2)).isEqualTo(before);
  }

  @Test
  void aNewDataDirectoryHasNothingToRecover() throws Exception {
    cluster = new FileNodes(dir, ClusterId.random());

    assertThatThrownBy(() -> force(N1, List.of(N1))).isInstanceOf(IOException.class)
        .hasMessageContaining("holds no identity");
  }
}
