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
import java.util.Collection;
import java.util.List;
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
 * <p><b>This gives up Raft's guarantee.</b> The survivor may lack writes the lost majority had
 * acknowledged: they are gone. It may also hold writes that were never acknowledged: they become
 * committed. Use it only on a stopped node, only when the other members will never come back with
 * their data (a node that comes back with its old data must be wiped and join again), and on one
 * survivor only (or on survivors that agree on everything: run it on the most up-to-date one and
 * let the others join again).
 *
 * <p>What it does: it appends a configuration entry with the given voters at the end of the
 * node's log, in a term after every term the node has seen, so that when the node starts, that
 * configuration is in effect and the node can win an election among those voters. It does not
 * start the node. It is idempotent: a log whose configuration in effect already has exactly those
 * voters and no learners is left alone.
 */
public final class DisasterRecovery {
  private static final Logger log = LoggerFactory.getLogger(DisasterRecovery.class);

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
    /** Whether the reset wrote anything. */
    public boolean changed() {
      return index != 0;
    }
  }

  /**
   * Rewrites the membership of a stopped node, durably, and closes its stores.
   *
   * @param store the node's log store, not open (the node must be stopped)
   * @param snapshots the node's snapshot store, not open, or {@code null} if it has none
   * @param self the node's id, checked against the store's identity
   * @param voters the voters from now on, {@code self} among them
   * @return what was found and written
   * @throws IdentityMismatchException if the store belongs to another node
   * @throws IOException if the stores cannot be read or written, or hold no identity
   * @throws IllegalArgumentException if {@code voters} does not name {@code self}
   */
  public static Reset forceMembership(LogStore store, SnapshotStore snapshots, NodeId self,
      Collection<NodeId> voters) throws IOException {
    TreeSet<NodeId> newVoters = new TreeSet<>(voters);
    if (!newVoters.contains(self)) {
      throw new IllegalArgumentException("the voters " + newVoters + " do not include " + self
          + ", the node being reset: it could never lead them");
    }
    try (store) {
      store.open();
      StoreIdentity identity = store.identity().orElseThrow(() -> new IOException(
          "the log store of " + self + " holds no identity: nothing to recover"));
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
      long last = store.lastIndex();
      long lastTerm = last >= store.firstIndex() ? store.term(last)
          : snapshot.filter(s -> s.index() == last).map(SnapshotMeta::term).orElse(0L);
      Configuration before = configurationInEffect(store, snapshot, identity);
      Configuration after = Configuration.ofVoters(List.copyOf(newVoters));
      TermAndVote tv = store.termAndVote();
      if (before.voters().equals(after.voters()) && before.learners().isEmpty()) {
        log.info("{}: the membership is {} already; nothing to reset", self, before);
        return new Reset(before, before, 0, tv.term());
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

  /** The last configuration entry of the log, else the snapshot's, else the founding one. */
  private static Configuration configurationInEffect(LogStore store,
      Optional<SnapshotMeta> snapshot, StoreIdentity identity) {
    Configuration found = null;
    long next = store.firstIndex();
    while (next <= store.lastIndex()) {
      // Read forward in bounded pieces: a log of large entries must not be read at once.
      List<LogEntry> entries = store.entries(next, store.lastIndex() + 1, 16 << 20);
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
      return Configuration.decode(snapshot.get().configuration());
    }
    return identity.bootstrap();
  }
}
