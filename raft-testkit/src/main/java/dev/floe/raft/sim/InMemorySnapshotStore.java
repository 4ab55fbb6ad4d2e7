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

import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.SnapshotStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * A {@link SnapshotStore} in memory, for tests and the simulator. The published snapshot lives on
 * a {@link Shelf} that outlives store instances, as a disk outlives a crash; a snapshot being
 * written is lost with its store instance. Thread-safe.
 */
public final class InMemorySnapshotStore implements SnapshotStore {

  /** Durable snapshot storage: survives the stores (node incarnations) that use it. */
  public static final class Shelf {
    private SnapshotMeta meta;
    private byte[] data;

    /** Loses the snapshot, as if the disk were replaced. */
    public synchronized void wipe() {
      meta = null;
      data = null;
    }
  }

  private final Shelf shelf;

  /** A store on a fresh shelf. */
  public InMemorySnapshotStore() {
    this(new Shelf());
  }

  /**
   * A store on {@code shelf} (a restart if it was used before).
   *
   * @param shelf where the snapshots are kept across restarts
   */
  public InMemorySnapshotStore(Shelf shelf) {
    this.shelf = shelf;
  }

  @Override
  public Optional<SnapshotMeta> open() {
    return latest();
  }

  @Override
  public Optional<SnapshotMeta> latest() {
    synchronized (shelf) {
      return Optional.ofNullable(shelf.meta);
    }
  }

  @Override
  public Sink begin(long index, long term, byte[] configuration) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    return new Sink() {
      private boolean finished;

      @Override
      public OutputStream stream() {
        return bytes;
      }

      @Override
      public SnapshotMeta commit() {
        byte[] data = bytes.toByteArray();
        SnapshotMeta meta = new SnapshotMeta(index, term, configuration, data.length);
        synchronized (shelf) {
          if (shelf.meta == null || index > shelf.meta.index()) { // never go back to an older one
            shelf.meta = meta;
            shelf.data = data;
          }
        }
        finished = true;
        return meta;
      }

      @Override
      public void abort() {
        finished = true;
      }
    };
  }

  @Override
  public InputStream open(SnapshotMeta snapshot, long offset) throws IOException {
    synchronized (shelf) {
      if (!snapshot.equals(shelf.meta)) {
        throw new IOException("snapshot " + snapshot + " is no longer kept");
      }
      return new ByteArrayInputStream(shelf.data, (int) offset, shelf.data.length - (int) offset);
    }
  }

  @Override
  public void close() {}
}
