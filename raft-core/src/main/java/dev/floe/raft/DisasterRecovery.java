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

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.SnapshotStore;
import dev.floe.raft.spi.StoreIdentity;
import dev.floe.raft.spi.TermAndVote;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last resort when a cluster has lost its majority for good (two machines of three destroyed):
 * rewrite a surviving node's membership so that it can lead again, alone or with the survivors
 * named, and then grow the cluster back with {@link RaftNode#addVoter}.
 *
 * <p><b>This gives up Raft's guarantee: it may lose writes that were acknowledged.</b> The
 * survivor may lack writes the lost majority had acknowledged: they are gone for good. It may
 * also hold writes that were never acknowledged: they become committed. Use it only on a stopped
 * node, only when the other members will never come back with their data (a node that comes back
 * with its old data must be wiped and join again as a new node), and on one survivor only (the
 * most up-to-date one: compare their last log index and term; the others are wiped and join
 * again).
 *
 * <p>What it does: it appends a configuration entry with the given voters at the end of the
 * node's log, in a term after every term the node has seen, and records that term with no vote,
 * so that every later start of the node has that configuration in effect and the node can win an
 * election among those voters. It reads the log as the node's start would (the snapshot, and the
 * log after it), so the entry is never one a start would discard. It does not start the node. It
 * is idempotent: a node whose configuration in effect already has exactly those voters and no
 * learners is left alone.
 */
public final class DisasterRecovery {
  private static final Logger log = LoggerFactory.getLogger(DisasterRecovery.class);
  /** How many bytes of entries are read at once while looking for the configuration. */
  private static final long READ_BYTES = 16 << 20;

  private DisasterRecovery() {}

  /**
   * What a reset found and wrote.
   *
   * @param before the configuration in effect before the reset
   * @param after the configuration written (the same as {@code before} if nothing was written)
   * @param index the index of the configuration entry written, or 0 if nothing was written
   * @param term the term the node now starts in
   */
  public record Reset(Configuration before, Configuration after, long index, long term) {
    /** {@return whether the reset wrote anything} */
    public boolean changed() {
      return index != 0;
    }
  }

  /**
   * Rewrites the membership of a stopped node, durably, and closes its stores. <b>It may lose
   * acknowledged writes</b> (see the class description).
   *
   * <p>The voters must include {@code self} and be members of the configuration in effect (a
   * learner among them becomes a voter); the members left out, and every learner, are removed.
   * Add new nodes afterwards, with {@link RaftNode#addVoter}, once this node leads.
   *
   * @param store the node's log store, not open (the node must be stopped)
   * @param snapshots the node's snapshot store, not open, or {@code null} if it has none; needed
   *     if the node takes snapshots, since the log then starts after one
   * @param self the node's id, checked against the store's identity
   * @param voters the voters from now on, {@code self} among them, each once
   * @return what was found and written
   * @throws IdentityMismatchException if the store belongs to another node
   * @throws IOException if the stores cannot be read or written, hold no identity, or the log
   *     starts after index 1 and no snapshot store was given
   * @throws IllegalArgumentException if {@code voters} is empty, names a node twice, does not
   *     name {@code self}, or names a node that is not a member; nothing is written then
   */
  public static Reset forceMembership(LogStore store, SnapshotStore snapshots, NodeId self,
      Collection<NodeId> voters) throws IOException {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(self, "self");
    TreeSet<NodeId> wanted = checkVoters(self, voters);
    try (store) {
      store.open();
      StoreIdentity identity = store.identity().orElseThrow(() -> new IOException(
          "the log store " + store + " of " + self + " holds no identity: it is new or was never "
          + "started; there is nothing to recover"));
      if (!identity.nodeId().equals(self)) {
        throw new IdentityMismatchException("node id", identity.nodeId().value(), self.value(),
            store.toString());
      }
      Optional<SnapshotMeta> snapshot = Optional.empty();
      if (snapshots != null) {
        try (snapshots) {
          snapshot = snapshots.open();
        }
      }
      long snapshotIndex = snapshot.map(SnapshotMeta::index).orElse(0L);
      long snapshotTerm = snapshot.map(SnapshotMeta::term).orElse(0L);
      boolean continues = logContinues(store, snapshotIndex, snapshotTerm);
      if (!continues && snapshotIndex == 0) {
        throw new IOException("the log of " + self + " starts at index " + store.firstIndex()
            + ", after a snapshot: give forceMembership the node's snapshot store too");
      }
      Configuration before = configurationInEffect(store, snapshot, identity, continues);
      Configuration after = forced(before, wanted, self);
      TermAndVote tv = store.termAndVote();
      if (before.voters().equals(wanted) && before.learners().isEmpty()) {
        log.info("{}: the membership is {} already; nothing to reset", self, before);
        return new Reset(before, before, 0, tv.term());
      }
      long last = continues ? store.lastIndex() : snapshotIndex;
      long lastTerm = last > snapshotIndex ? store.term(last) : snapshotTerm;
      if (!continues) {
        // The node's start would drop this log (an interrupted snapshot install): drop it now,
        // so that the entry written here is one the start keeps.
        store.reset(snapshotIndex + 1);
      }
      long term = Math.max(tv.term(), lastTerm) + 1;
      LogEntry entry = new LogEntry(last + 1, term, EntryType.CONFIGURATION, after.encode());
      store.append(List.of(entry));
      store.saveTermAndVote(new TermAndVote(term, null));
      store.sync().get();
      log.warn("{}: MEMBERSHIP FORCED from {} to {} (entry {}, term {}): writes the lost members "
          + "acknowledged may be gone, and writes never acknowledged may now commit", self, before,
          after, entry.index(), term);
      return new Reset(before, after, entry.index(), term);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing the reset of " + self, e);
    } catch (ExecutionException e) {
      throw new IOException("writing the reset of " + self + " failed", e.getCause());
    }
  }

  /** The voters as a set, refused before anything is opened if they cannot be right. */
  private static TreeSet<NodeId> checkVoters(NodeId self, Collection<NodeId> voters) {
    Objects.requireNonNull(voters, "voters");
    if (voters.isEmpty()) {
      throw new IllegalArgumentException("no voters given: name at least " + self
          + ", the node being reset");
    }
    List<NodeId> given = new ArrayList<>(voters);
    given.forEach(v -> Objects.requireNonNull(v, "a voter"));
    TreeSet<NodeId> wanted = new TreeSet<>(given);
    if (wanted.size() != given.size()) {
      throw new IllegalArgumentException("the voters " + given + " name a node more than once");
    }
    if (!wanted.contains(self)) {
      throw new IllegalArgumentException("the voters " + wanted + " do not include " + self
          + ", the node being reset: it could never lead them");
    }
    return wanted;
  }

  /**
   * {@code before} with only the wanted voters: the others and every learner removed, a wanted
   * learner promoted, the addresses kept.
   */
  private static Configuration forced(Configuration before, TreeSet<NodeId> wanted, NodeId self) {
    List<NodeId> unknown = wanted.stream().filter(v -> !before.contains(v)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("the voters " + unknown + " are not members of the "
          + "configuration in effect on " + self + ", " + before + ": nothing was written. Force "
          + "the membership to survivors only, then add new nodes with addVoter");
    }
    Configuration after = before;
    for (NodeId member : before.members()) {
      if (!wanted.contains(member)) {
        after = after.without(member);
      }
    }
    for (NodeId voter : wanted) {
      if (after.isLearner(voter)) {
        after = after.withPromoted(voter);
      }
    }
    return after;
  }

  /** As the node's start decides it: the log holds the entry after the snapshot, or its own. */
  private static boolean logContinues(LogStore store, long snapshotIndex, long snapshotTerm) {
    long first = store.firstIndex();
    long last = store.lastIndex();
    if (first > snapshotIndex + 1 || last < snapshotIndex) {
      return false;
    }
    return snapshotIndex < first || store.term(snapshotIndex) == snapshotTerm;
  }

  /**
   * As the node's start finds it: the last configuration entry after the snapshot, else the
   * snapshot's configuration, else the founding one.
   */
  private static Configuration configurationInEffect(LogStore store,
      Optional<SnapshotMeta> snapshot, StoreIdentity identity, boolean continues) {
    Configuration found = null;
    long next = Math.max(store.firstIndex(), snapshot.map(SnapshotMeta::index).orElse(0L) + 1);
    long end = continues ? store.lastIndex() + 1 : next;
    while (next < end) {
      // Read forward in bounded pieces: a log of large entries must not be read at once.
      List<LogEntry> entries = store.entries(next, end, READ_BYTES);
      for (LogEntry e : entries) {
        if (e.type() == EntryType.CONFIGURATION) {
          found = Configuration.decode(e.data());
        }
      }
      next += entries.size();
    }
    if (found != null) {
      return found;
    }
    if (snapshot.isPresent() && snapshot.get().configuration().length > 0) {
      Configuration c = Configuration.decode(snapshot.get().configuration());
      if (!c.isEmpty()) {
        return c;
      }
    }
    return identity.bootstrap();
  }
}
