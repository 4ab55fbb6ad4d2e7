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

import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.StoreIdentity;
import dev.floe.raft.spi.TermAndVote;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * A {@link LogStore} in memory, for tests and the simulator. It keeps apart what is durable and
 * what is only written, so that a simulated crash ({@link Disk#crash}) loses unsynced writes the
 * way a real disk may: every write after some point in the unsynced sequence is gone.
 *
 * <p>A new {@code InMemoryLogStore} over the same {@link Disk} is a restarted node: it sees only
 * what the disk kept.
 *
 * <p>Like a store on files, it keeps the term and vote in a record of their own (a file's
 * {@code meta}), written with the identity and replaced by every {@link #saveTermAndVote}. An
 * operator can lose that record ({@link Disk#loseTermAndVote}); {@link #open()} then refuses the
 * store, since a node that took it for new would forget its vote and could vote twice in a term.
 */
public final class InMemoryLogStore implements LogStore {

  /** The contents of a log: term, vote and entries from {@code firstIndex}. */
  static final class State {
    StoreIdentity identity;
    /** Whether the term-and-vote record exists (it is created with the identity). */
    boolean hasTermAndVote;
    long term;
    dev.floe.raft.cluster.NodeId votedFor;
    long firstIndex = 1;
    final ArrayList<LogEntry> entries = new ArrayList<>();

    State copy() {
      State s = new State();
      s.identity = identity;
      s.hasTermAndVote = hasTermAndVote;
      s.term = term;
      s.votedFor = votedFor;
      s.firstIndex = firstIndex;
      s.entries.addAll(entries);
      return s;
    }

    long lastIndex() {
      return firstIndex + entries.size() - 1;
    }
  }

  /**
   * A simulated disk: the durable state plus the writes not yet durable, in order. Survives the
   * store instances (node incarnations) that use it.
   */
  public static final class Disk {
    private State durable = new State();
    /** Writes handed to the disk and not yet durable, oldest first. */
    private final ArrayList<Consumer<State>> unsynced = new ArrayList<>();
    /** The term and vote record an operator lost, kept to put it back; null if none is lost. */
    private TermAndVote lostTermAndVote;

    /**
     * A crash: keeps a random prefix of the unsynced writes (maybe none, maybe all).
     *
     * @param random decides how much is kept
     */
    public void crash(RandomGenerator random) {
      int kept = random.nextInt(unsynced.size() + 1);
      for (int i = 0; i < kept; i++) {
        unsynced.get(i).accept(durable);
      }
      unsynced.clear();
    }

    /** Loses everything, as if the disk were replaced. */
    public void wipe() {
      durable = new State();
      unsynced.clear();
      lostTermAndVote = null;
    }

    /** A crash that keeps none of the unsynced writes: for scripts that need that exact state. */
    public void crashLosingEveryUnsyncedWrite() {
      unsynced.clear();
    }

    /**
     * An operator's mistake: the durable term-and-vote record is lost (deleted, or left behind in a
     * copy) while the identity and the log remain. Call it while no store is open on the disk.
     *
     * @return whether there was a record to lose
     * @throws IllegalStateException if writes are pending (a store is open) or a record is lost
     *     already
     */
    public boolean loseTermAndVote() {
      if (!unsynced.isEmpty() || lostTermAndVote != null) {
        throw new IllegalStateException("lose the term and vote of a stopped node's disk, once");
      }
      if (!durable.hasTermAndVote) {
        return false;
      }
      lostTermAndVote = new TermAndVote(durable.term, durable.votedFor);
      durable.hasTermAndVote = false;
      durable.term = 0;
      durable.votedFor = null;
      return true;
    }

    /** Puts back the record {@link #loseTermAndVote} lost, as it was. */
    public void restoreTermAndVote() {
      if (lostTermAndVote == null) {
        throw new IllegalStateException("no term and vote record was lost");
      }
      durable.hasTermAndVote = true;
      durable.term = lostTermAndVote.term();
      durable.votedFor = lostTermAndVote.votedFor();
      lostTermAndVote = null;
    }

    void write(Consumer<State> op) {
      unsynced.add(op);
    }

    /** Makes the first {@code count} unsynced writes durable. */
    void makeDurable(int count) {
      for (int i = 0; i < count; i++) {
        unsynced.get(i).accept(durable);
      }
      unsynced.subList(0, count).clear();
    }

    int unsyncedCount() {
      return unsynced.size();
    }

    State durableCopy() {
      return durable.copy();
    }

    /** The last durable index (the first durable one less one, if the durable log is empty). */
    long durableLastIndex() {
      return durable.lastIndex();
    }
  }

  private final Disk disk;
  private final Consumer<Runnable> syncCompleter;
  /** Whether a blocking wait for a sync that has not completed fails instead of waiting. */
  private final boolean refuseBlockingWaits;
  private State current;
  /** Writes made since the last sync() was asked for. */
  private int writesSinceSync;
  private int syncsOutstanding;

  /** A store on a fresh disk whose syncs complete at once. */
  public InMemoryLogStore() {
    this(new Disk(), Runnable::run);
  }

  /**
   * A store on {@code disk} (a restart if the disk was used before).
   *
   * @param disk the disk the store's writes go to
   * @param syncCompleter runs each sync's completion: at once, or later in (virtual) time; it must
   *     run them in the order given
   */
  public InMemoryLogStore(Disk disk, Consumer<Runnable> syncCompleter) {
    this(disk, syncCompleter, false);
  }

  /**
   * A store on {@code disk} for the simulator, whose one thread also completes the syncs: there a
   * blocking wait for a sync ({@code join} or {@code get} on its future, or on one derived from it)
   * would wait forever, so it fails at once with an {@link IllegalStateException} instead.
   */
  static InMemoryLogStore forSimulator(Disk disk, Consumer<Runnable> syncCompleter) {
    return new InMemoryLogStore(disk, syncCompleter, true);
  }

  private InMemoryLogStore(Disk disk, Consumer<Runnable> syncCompleter,
      boolean refuseBlockingWaits) {
    this.disk = disk;
    this.syncCompleter = syncCompleter;
    this.refuseBlockingWaits = refuseBlockingWaits;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IOException if the store holds an identity or entries but no term and vote record
   *     (see {@link Disk#loseTermAndVote})
   */
  @Override
  public void open() throws IOException {
    State s = disk.durableCopy();
    boolean holdsData = s.identity != null || !s.entries.isEmpty() || s.firstIndex != 1;
    if (holdsData && !s.hasTermAndVote) {
      throw new IOException("the log store" + (s.identity == null ? ""
          : " of " + s.identity.nodeId() + " (cluster " + s.identity.clusterId() + ")")
          + " holds log " + s.firstIndex + ".." + s.lastIndex() + " but its term and vote record"
          + " is missing: it was lost or deleted. Refusing to start, since a node that forgot its"
          + " vote may vote twice in a term; restore the record, or replace the node with a new"
          + " one (remove it from the cluster, wipe the directory, add it back)");
    }
    current = s;
  }

  @Override
  public Optional<StoreIdentity> identity() {
    return Optional.ofNullable(current.identity);
  }

  @Override
  public void saveIdentity(StoreIdentity identity) {
    if (current.identity != null) {
      throw new IllegalStateException("the store already belongs to " + current.identity);
    }
    // The identity is written with the initial term and vote, as a store on files creates its
    // meta file: a store with an identity and no such record has lost it.
    write(s -> {
      s.identity = identity;
      s.hasTermAndVote = true;
    });
  }

  @Override
  public TermAndVote termAndVote() {
    return new TermAndVote(current.term, current.votedFor);
  }

  @Override
  public long firstIndex() {
    return current.firstIndex;
  }

  @Override
  public long lastIndex() {
    return current.lastIndex();
  }

  @Override
  public long term(long index) {
    return entry(index).term();
  }

  private LogEntry entry(long index) {
    if (index < current.firstIndex || index > current.lastIndex()) {
      throw new IndexOutOfBoundsException("no entry " + index + " in " + current.firstIndex + ".."
          + current.lastIndex());
    }
    return current.entries.get((int) (index - current.firstIndex));
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes) {
    if (fromIndex < current.firstIndex || toIndexExclusive > current.lastIndex() + 1) {
      throw new IndexOutOfBoundsException("range " + fromIndex + ".." + toIndexExclusive
          + " outside " + current.firstIndex + ".." + (current.lastIndex() + 1));
    }
    List<LogEntry> out = new ArrayList<>();
    long bytes = 0;
    for (long i = fromIndex; i < toIndexExclusive; i++) {
      LogEntry e = entry(i);
      if (!out.isEmpty() && bytes + e.sizeInBytes() > maxBytes) {
        break;
      }
      out.add(e);
      bytes += e.sizeInBytes();
    }
    return out;
  }

  /** {@return every entry currently written (durable or not), for checks} */
  public List<LogEntry> allEntries() {
    return List.copyOf(current.entries);
  }

  private void write(Consumer<State> op) {
    op.accept(current);
    disk.write(op);
    writesSinceSync++;
  }

  @Override
  public void append(List<LogEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    if (entries.get(0).index() != current.lastIndex() + 1) {
      throw new IllegalArgumentException("append at " + entries.get(0).index() + " after "
          + current.lastIndex());
    }
    List<LogEntry> copy = List.copyOf(entries);
    write(s -> s.entries.addAll(copy));
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    write(s -> {
      int keep = (int) Math.max(0, fromIndex - s.firstIndex);
      if (keep < s.entries.size()) {
        s.entries.subList(keep, s.entries.size()).clear();
      }
    });
  }

  @Override
  public void compactPrefix(long upToIndex) {
    write(s -> {
      int drop = (int) Math.min(s.entries.size(), Math.max(0, upToIndex - s.firstIndex + 1));
      s.entries.subList(0, drop).clear();
      s.firstIndex += drop;
    });
  }

  @Override
  public void reset(long nextIndex) {
    write(s -> {
      s.entries.clear();
      s.firstIndex = nextIndex;
    });
  }

  @Override
  public void saveTermAndVote(TermAndVote tv) {
    write(s -> {
      s.hasTermAndVote = true;
      s.term = tv.term();
      s.votedFor = tv.votedFor();
    });
  }

  @Override
  public CompletableFuture<Void> sync() {
    CompletableFuture<Void> done =
        refuseBlockingWaits ? new NoBlockingWait<>() : new CompletableFuture<>();
    int covered = writesSinceSync;
    writesSinceSync = 0;
    syncsOutstanding++;
    syncCompleter.accept(() -> {
      // Completions run in order, so the writes this sync covers are the oldest unsynced ones.
      disk.makeDurable(Math.min(covered, disk.unsyncedCount()));
      syncsOutstanding--;
      done.complete(null);
    });
    return done;
  }

  /** Makes every write durable, as a store that closes in an orderly way does. */
  @Override
  public void close() {
    disk.makeDurable(disk.unsyncedCount());
  }

  /**
   * A future that a thread may not wait for: on the simulator's one thread, the wait would never
   * end (the disk completes syncs only when the simulator runs on), so it fails instead of hanging.
   */
  private static final class NoBlockingWait<T> extends CompletableFuture<T> {
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new NoBlockingWait<>();
    }

    private void refuseIfPending() {
      if (!isDone()) {
        throw new IllegalStateException("a blocking wait for a sync of the simulated disk: the"
            + " simulator's one thread completes syncs, so the wait would never end");
      }
    }

    @Override
    public T join() {
      refuseIfPending();
      return super.join();
    }

    @Override
    public T get() throws InterruptedException, java.util.concurrent.ExecutionException {
      refuseIfPending();
      return super.get();
    }

    @Override
    public T get(long timeout, java.util.concurrent.TimeUnit unit)
        throws InterruptedException, java.util.concurrent.ExecutionException,
            java.util.concurrent.TimeoutException {
      refuseIfPending();
      return super.get(timeout, unit);
    }
  }

  @Override
  public String toString() {
    return "InMemoryLogStore" + (current != null && current.identity != null
        ? "[" + current.identity.nodeId() + "@" + current.identity.clusterId() + "]" : "");
  }
}
