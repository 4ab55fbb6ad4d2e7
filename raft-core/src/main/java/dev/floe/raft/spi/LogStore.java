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
package dev.floe.raft.spi;

import dev.floe.raft.message.LogEntry;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Durable storage for a node's log and its {@link TermAndVote}.
 *
 * <h2>Writes and durability</h2>
 * {@link #append}, {@link #truncateSuffix}, {@link #compactPrefix}, {@link #reset} and
 * {@link #saveTermAndVote} are <em>buffered</em>: they take effect at once for every read of this
 * store, but are durable only once a later {@link #sync()} completes. They must not wait for the
 * disk to flush. {@code sync()} returns a future that completes when every write made before the call
 * is durable; futures complete in the order of the calls. This is what lets a store share one
 * flush among many writes (group commit) and lets the leader write its log while it replicates.
 * Floe never counts or acknowledges an entry before the {@code sync()} that covers it completes.
 *
 * <p>Durable writes are durable in order: if a crash keeps a write, it keeps every earlier one. A
 * crash may lose writes that no completed {@code sync()} covered; after such a crash the store
 * reopens with a prefix of the writes made.
 *
 * <h2>Threading</h2>
 * All methods but {@link #close()} are called by one thread at a time (the node's event loop), never
 * concurrently, after {@link #open()} returned. The future of {@code sync()} may complete on any
 * thread; Floe does not block in its callbacks. {@link #syncInline()}, where a store offers it,
 * blocks the event loop for one force: Floe calls it for small batches only.
 *
 * <h2>Failures</h2>
 * A write that fails throws {@link IOException}, or fails the futures of the {@code sync()} calls
 * that cover it with an {@code IOException} (a full disk, a read-only file system). Once a write has
 * failed the store may fail every later one. Floe then stops the node's participation rather than
 * acknowledge anything that is not durable. Corrupt data found by {@code open()} is reported by
 * an exception naming the file and position, never repaired by discarding committed entries.
 *
 * <h2>Identity</h2>
 * A store belongs to one node of one cluster. {@link #saveIdentity} records it on a new store,
 * before any other write; {@link #identity()} returns it afterwards. A store that holds data
 * (entries, a term or a vote) must hold an identity; {@code open()} refuses a store whose parts
 * contradict each other (data without an identity, an identity without the term and vote that must
 * accompany it, parts written for another node) rather than take it for a new one, and refuses
 * data written in a format it does not know, naming the version it found.
 *
 * <h2>Indexes</h2>
 * The log holds the contiguous entries {@code firstIndex() .. lastIndex()}; it is empty when
 * {@code lastIndex() == firstIndex() - 1}. A new store has {@code firstIndex() == 1}.
 */
public interface LogStore extends Closeable {

  /**
   * Opens the store and recovers its durable state. Called once, before any other method.
   *
   * @throws IOException if the store cannot be opened or holds corrupt data
   */
  void open() throws IOException;

  /**
   * Returns the identity recorded by {@link #saveIdentity}, or empty for a new store (one that holds
   * nothing at all).
   *
   * @return the identity, or empty
   */
  Optional<StoreIdentity> identity();

  /**
   * Records whom the store belongs to (buffered; durable at the next {@link #sync()}, and durable
   * before every later write). Called once, on a new store, before any other write.
   *
   * @param identity the cluster, the node and how it joined
   * @throws IllegalStateException if the store already has an identity
   * @throws IOException if the write fails
   */
  void saveIdentity(StoreIdentity identity) throws IOException;

  /** {@return the last saved term and vote ({@link TermAndVote#INITIAL} for a new store)} */
  TermAndVote termAndVote();

  /** {@return the index of the first entry held (or that will be held, if empty)} */
  long firstIndex();

  /** {@return the index of the last entry held, or {@code firstIndex() - 1} if empty} */
  long lastIndex();

  /**
   * Returns the term of the entry at {@code index}.
   *
   * @param index an index in {@code firstIndex() .. lastIndex()}
   * @return the term
   * @throws IndexOutOfBoundsException if the store holds no entry at that index
   */
  long term(long index);

  /**
   * Reads entries from {@code fromIndex} up to, not including, {@code toIndexExclusive}, stopping
   * early once their {@link LogEntry#sizeInBytes()} sum exceeds {@code maxBytes}. At least one entry
   * is returned when the range is not empty, whatever its size. Reads see every write made before
   * them at once, durable or not: a node holds only a tail of its log in memory and reads older
   * entries back through this method (for a follower that lags, for the state machine after a
   * restart), possibly while its writes are still being forced.
   *
   * @param fromIndex the first index to read
   * @param toIndexExclusive the index to stop before
   * @param maxBytes the size past which no further entry is added
   * @return the entries, in index order
   * @throws IndexOutOfBoundsException if the range is not within {@code firstIndex() ..
   *     lastIndex() + 1}
   * @throws java.io.UncheckedIOException if the entries cannot be read
   */
  List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes);

  /**
   * Appends entries (buffered). The first entry's index is {@code lastIndex() + 1} and indexes are
   * contiguous. The list is the store's from then on: the node never changes it afterwards, so a
   * store may keep it, or views of it, without a copy.
   *
   * @param entries the entries, in index order
   * @throws IllegalArgumentException if the entries do not follow the log
   * @throws IOException if the write fails
   */
  void append(List<LogEntry> entries) throws IOException;

  /**
   * Removes every entry at or after {@code fromIndex} (buffered), after a conflict with a leader.
   *
   * @param fromIndex an index in {@code firstIndex() .. lastIndex() + 1}
   * @throws IOException if the write fails
   */
  void truncateSuffix(long fromIndex) throws IOException;

  /**
   * Discards entries up to and including {@code upToIndex} (buffered) after a snapshot covers them.
   * A store may keep some of them (it removes whole files): afterwards {@code firstIndex()} is at
   * most {@code upToIndex + 1}.
   *
   * @param upToIndex the last index the snapshot covers
   * @throws IOException if the write fails
   */
  void compactPrefix(long upToIndex) throws IOException;

  /**
   * Discards every entry (buffered) so that the next append starts at {@code nextIndex}; used when
   * a snapshot from the leader replaces the whole log.
   *
   * @param nextIndex the index of the next entry to append
   * @throws IOException if the write fails
   */
  void reset(long nextIndex) throws IOException;

  /**
   * Saves the term and vote (buffered; durable at the next {@link #sync()}).
   *
   * @param termAndVote the term and the vote in it
   * @throws IOException if the write fails
   */
  void saveTermAndVote(TermAndVote termAndVote) throws IOException;

  /**
   * Makes every write made before this call durable.
   *
   * @return a future that completes when they are durable, or fails with an {@link IOException}
   */
  CompletableFuture<Void> sync();

  /**
   * Makes every write made before this call durable before returning, on the calling thread: what
   * {@link #sync()} does, without handing the work to another thread and waiting to hear back.
   * Futures of earlier {@code sync()} calls complete before it returns. Floe calls it on its event
   * loop for small batches, where two thread wake-ups per write cost more than the force itself.
   *
   * <p>A store that cannot force on the caller's thread (one that runs its writes elsewhere, as
   * the default does not know how to) returns {@code false} at once, having done nothing; the
   * caller then uses {@link #sync()}.
   *
   * @return whether the writes are durable; {@code false} if this store does not sync this way
   * @throws IOException if a write or the force fails (the store then fails later writes too)
   */
  default boolean syncInline() throws IOException {
    return false;
  }

  /**
   * Releases the store's files and threads. Writes not yet synced may be lost. Idempotent; may be
   * called from any thread.
   */
  @Override
  void close() throws IOException;

  /**
   * Reports the store's own measurements (forces, entries and bytes per force, ...). Called once,
   * before the node reads the store, when the node has a metrics sink. By default the store
   * reports nothing.
   *
   * @param metrics where to create the store's meters
   * @param tags the node's tags, to put on every meter so that they group with the node's own
   */
  default void bindMetrics(MetricsSink metrics, Map<String, String> tags) {}
}
