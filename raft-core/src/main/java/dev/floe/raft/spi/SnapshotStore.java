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

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Durable storage for state machine snapshots. A node keeps the latest complete snapshot (and may
 * keep older ones until a newer one is published); the log before it is compacted.
 *
 * <h2>Writing</h2>
 * {@link #begin} opens a {@link Sink}; its stream receives the snapshot's bytes (the state machine
 * writing its image, or chunks arriving from the leader). {@link Sink#commit} makes the snapshot
 * durable and publishes it atomically: a crash at any moment leaves either the previous latest
 * snapshot or the new one, never a partial one. {@link Sink#abort} (or a crash) discards it.
 *
 * <h2>Reading</h2>
 * {@link #open} reads a published snapshot from a byte offset, so a transfer to a follower can
 * resume where it stopped. Data is verified (for instance by checksum) when read in full; a
 * corrupt snapshot fails the read with an {@link IOException} naming the file.
 *
 * <h2>Threading</h2>
 * Methods may be called from different threads, but one sink is used by one thread at a time.
 * {@link #open} may run while a sink is being written. Methods other than {@link #latest()} may
 * block on I/O: Floe calls them on the node's apply thread, never on its consensus event loop.
 */
public interface SnapshotStore extends Closeable {

  /**
   * Opens the store and returns the latest published snapshot, if any. Leftovers of snapshots
   * never committed are removed.
   *
   * @return the latest published snapshot, or empty
   * @throws IOException if the store cannot be read
   */
  Optional<SnapshotMeta> open() throws IOException;

  /** {@return the latest published snapshot, if any: a cached value, cheap and non-blocking} */
  Optional<SnapshotMeta> latest();

  /**
   * Starts writing a snapshot.
   *
   * @param index the last log index it covers
   * @param term the term at {@code index}
   * @param configuration the encoded cluster configuration as of {@code index}
   * @return the sink to write the snapshot to
   * @throws IOException if it cannot be created
   */
  Sink begin(long index, long term, byte[] configuration) throws IOException;

  /**
   * Reads a published snapshot's data from {@code offset}.
   *
   * @param snapshot a published snapshot
   * @param offset where to start, in bytes of its data
   * @return a stream of the data from {@code offset}
   * @throws IOException if it cannot be read, or is no longer kept
   */
  InputStream open(SnapshotMeta snapshot, long offset) throws IOException;

  /** A snapshot being written. */
  interface Sink extends Closeable {
    /** {@return where the snapshot's bytes go} */
    OutputStream stream();

    /**
     * Makes the snapshot durable and publishes it atomically as the latest.
     *
     * @return its metadata, with its size
     * @throws IOException if it cannot be made durable; nothing is published then
     */
    SnapshotMeta commit() throws IOException;

    /** Discards the snapshot. Idempotent; does nothing after {@link #commit}. */
    void abort();

    /** Aborts unless committed. */
    @Override
    default void close() {
      abort();
    }
  }
}
