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
package dev.floe.raft;

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.internal.core.RaftCore;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.MonotonicClock;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.StoreIdentity;
import dev.floe.raft.spi.TermAndVote;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's start, on the caller's thread before any of the node's own threads has work: it opens
 * the store, checks or records the node's identity, restores the state machine from the latest
 * snapshot, reconciles the log with that snapshot, and builds the core from what it found.
 */
final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  /** What recovery found: the core, and where the applier stands. */
  record Recovered(RaftCore core, ClusterId clusterId, long snapshotIndex) {}

  private final NodeId self;
  private final ClusterId configuredClusterId;
  private final List<NodeId> founders;
  private final boolean joining;
  private final LogStore store;
  private final Applier applier;
  /** The backup a new node is founded from, or null. */
  private final Path restoreFrom;

  Recovery(NodeId self, ClusterId configuredClusterId, List<NodeId> founders, boolean joining,
      LogStore store, Applier applier, Path restoreFrom) {
    this.restoreFrom = restoreFrom;
    this.self = self;
    this.configuredClusterId = configuredClusterId;
    this.founders = founders;
    this.joining = joining;
    this.store = store;
    this.applier = applier;
  }

  /**
   * Recovers the node. It does not wait for the disk: what it writes (the identity of a new store,
   * a log reset after an interrupted snapshot install) becomes durable before anything that
   * depends on it is acknowledged, since every later write and answer waits for a sync after it.
   */
  Recovered run(RaftOptions options, RandomGenerator random, MonotonicClock clock)
      throws IOException {
    store.open();
    SnapshotTaker snapshots = applier.snapshots();
    // A restore publishes the backup before the store records anything, so that a restore that
    // fails leaves the log store as new as it found it.
    Optional<SnapshotMeta> seeded = restoreFrom == null ? null
        : Optional.of(snapshots.seed(requireNewStore()));
    StoreIdentity identity = checkIdentity();
    applier.startFrom(identity.bootstrap());
    long snapshotIndex = 0;
    long snapshotTerm = 0;
    if (snapshots != null) {
      Optional<SnapshotMeta> latest = seeded != null ? snapshots.restoreLatest(seeded)
          : snapshots.restoreLatest();
      if (latest.isPresent()) {
        snapshotIndex = latest.get().index();
        snapshotTerm = latest.get().term();
        applier.restored(latest.get());
      }
    }
    long first = store.firstIndex();
    long last = store.lastIndex();
    if (!logContinues(snapshotIndex, snapshotTerm, first, last)) {
      if (snapshotIndex == 0) {
        throw new IOException("the log starts at index " + first
            + " but no snapshot covers the entries before it");
      }
      // The log does not continue the snapshot (a crash while installing one): start after it.
      log.info("{}: the log {}..{} does not continue snapshot {} (term {}); starting after it",
          self, first, last, snapshotIndex, snapshotTerm);
      store.reset(snapshotIndex + 1);
      first = snapshotIndex + 1;
      last = snapshotIndex;
    }
    if (seeded != null) {
      startAfterSeed(snapshotTerm);
    }
    RaftCore core = new RaftCore(self, applier.appliedConfiguration(), options.toCoreConfig(),
        store.termAndVote(), snapshotIndex, snapshotTerm, last, store::entries, random, clock);
    checkFounders(identity, core);
    log.info("{} starting in cluster {}: term {}, log {}..{}, {}", self, identity.clusterId(),
        core.term(), first, last, core.configuration());
    return new Recovered(core, identity.clusterId(), snapshotIndex);
  }

  /**
   * Whether the log continues the snapshot: it holds the entry after it, or the snapshot's own
   * entry with the snapshot's term (a log whose entry there has another term holds a history the
   * snapshot replaced, such as after a crash while installing one).
   */
  private boolean logContinues(long snapshotIndex, long snapshotTerm, long first, long last) {
    if (first > snapshotIndex + 1 || last < snapshotIndex) {
      return false;
    }
    return snapshotIndex < first || store.term(snapshotIndex) == snapshotTerm;
  }

  /** The backup to restore from, once the log store is known to hold nothing. */
  private Path requireNewStore() {
    Optional<StoreIdentity> identity = store.identity();
    if (identity.isPresent() || !store.termAndVote().equals(TermAndVote.INITIAL)
        || store.lastIndex() >= store.firstIndex() || store.firstIndex() != 1) {
      throw new IllegalArgumentException("restoreFrom(" + restoreFrom + ") seeds only a new node, "
          + "but the log store " + store + " of " + self + " holds state ("
          + identity.map(i -> "cluster " + i.clusterId() + ", ").orElse("") + "term "
          + store.termAndVote().term() + ", log " + store.firstIndex() + ".." + store.lastIndex()
          + "): nothing was restored or overwritten; restore into an empty data directory, or "
          + "start this one without restoreFrom");
    }
    return restoreFrom;
  }

  /**
   * After a restore: the node's term starts at the backup's (so that its first election's term,
   * and its entries', are above the snapshot's), and the identity, the term and the log's new
   * start are made durable before the node runs, so a crash cannot leave half a restore.
   */
  private void startAfterSeed(long snapshotTerm) throws IOException {
    store.saveTermAndVote(new TermAndVote(snapshotTerm, null));
    try {
      store.sync().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while recording the restore of " + self, e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("recording the restore of " + self + " failed", e.getCause());
    }
  }

  /** Compares the store's identity with the settings, or records it on a new store. */
  private StoreIdentity checkIdentity() throws IOException {
    Optional<StoreIdentity> stored = store.identity();
    if (stored.isEmpty()) {
      return createIdentity();
    }
    StoreIdentity identity = stored.get();
    if (!identity.nodeId().equals(self)) {
      throw new IdentityMismatchException("node id", identity.nodeId().value(), self.value(),
          store.toString());
    }
    if (configuredClusterId != null && !identity.clusterId().equals(configuredClusterId)) {
      throw new IdentityMismatchException("cluster id", identity.clusterId().value(),
          configuredClusterId.value(), store.toString());
    }
    if (joining && identity.founder()) {
      throw new IllegalArgumentException("node " + self + " is a founding member of cluster "
          + identity.clusterId() + " (founded with " + identity.bootstrap().voters() + "); start "
          + "it with members(...) or neither, not join()");
    }
    if (founders != null && !identity.founder()) {
      throw new IllegalArgumentException("node " + self + " joined cluster "
          + identity.clusterId() + " after it was founded; start it with join() or neither, not "
          + "members(" + founders + ")");
    }
    return identity;
  }

  private StoreIdentity createIdentity() throws IOException {
    boolean holdsData = !store.termAndVote().equals(TermAndVote.INITIAL)
        || store.lastIndex() >= store.firstIndex() || store.firstIndex() != 1;
    if (holdsData) {
      throw new IOException("the log store of " + self + " holds data (term "
          + store.termAndVote().term() + ", log " + store.firstIndex() + ".." + store.lastIndex()
          + ") but no identity: it is damaged or was written by another program");
    }
    if (founders == null && !joining) {
      throw new IllegalArgumentException("node " + self + " starts on an empty store: give it "
          + "members(...) to found a cluster, or join() to enter a running one");
    }
    if (configuredClusterId == null) {
      throw new IllegalArgumentException("node " + self + " starts on an empty store: give it the "
          + "cluster's id, clusterId(...) (ClusterId.random() when founding a new cluster)");
    }
    StoreIdentity created = new StoreIdentity(configuredClusterId, self,
        joining ? Configuration.empty() : Configuration.ofVoters(founders));
    store.saveIdentity(created);
    log.info("{}: new data directory: {} of cluster {}, {}", self, self, configuredClusterId,
        created.founder() ? "founded with " + created.bootstrap().voters() : "joining");
    return created;
  }

  /**
   * Founding members given on a restart must be the ones the cluster was founded with, or the
   * voters in effect: anything else is a mistake (the stored membership rules either way, and
   * membership changes go through the log).
   */
  private void checkFounders(StoreIdentity identity, RaftCore core) {
    if (founders == null) {
      return;
    }
    TreeSet<NodeId> given = new TreeSet<>(founders);
    if (given.equals(identity.bootstrap().voters()) || given.equals(core.voters())) {
      return;
    }
    throw new IllegalArgumentException("members " + given + " given to " + self + " match neither "
        + "the members cluster " + identity.clusterId() + " was founded with, "
        + identity.bootstrap().voters() + ", nor its voters now, " + core.voters()
        + ", as its data directory records them. The stored membership rules: pass the founding "
        + "members (or none), and change the membership with addVoter and removeMember");
  }
}
