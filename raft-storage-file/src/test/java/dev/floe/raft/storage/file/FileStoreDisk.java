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

import dev.floe.raft.sim.SimDisk;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * A simulated machine's disk that runs the real {@link FileLogStore} and {@link FileSnapshotStore}
 * over a {@link SimFileSystem}: the store's writer runs on the simulator's disk thread (each of its
 * tasks after a few turns of it, see {@link SlowDisk}, as forces take a while), and a power loss
 * keeps a random part of what was not durable (any subset of each file's unsynced pages, either
 * size, a prefix of the unsynced directory changes).
 *
 * <p>It also plays an operator's faults on a stopped machine: losing the meta file (also for the
 * simulator's own operator faults, {@link #loseTermAndVote}), and having the data directory
 * replaced by a copy of another machine's.
 */
final class FileStoreDisk implements SimDisk {
  /** The node's data directory; its snapshots are in {@code snapshots/} inside, as in examples. */
  static final Path DATA = Path.of("/", "data");

  /**
   * Small segments with zeros ahead, so that runs roll segments, compact them, and leave unsynced
   * batches across pages.
   */
  static final FileLogStoreOptions OPTIONS =
      FileLogStoreOptions.DEFAULTS.withSegmentSizeBytes(32 << 10).withPreallocateBytes(16 << 10);

  private final SimFileSystem fs = new SimFileSystem();
  private final AtomicLong directoryIds;
  /** The meta file {@link #loseTermAndVote} took away, until it is put back. */
  private byte[] lostMeta;

  /** A disk whose directory ids are drawn from {@code machine} on, so that runs replay. */
  FileStoreDisk(long machine) {
    this.directoryIds = new AtomicLong(machine << 32);
  }

  /** The most turns of the simulator's disk thread a task of the store waits (see SlowDisk). */
  private static final int MAX_HOPS = 4;

  @Override
  public LogStore openLog(Executor diskThread) {
    Executor slow = new SlowDisk(diskThread, MAX_HOPS, directoryIds.get() + fs.crashes());
    return new FileLogStore(DATA, OPTIONS,
        new StoreEnvironment(fs, slow, () -> 0L, directoryIds::incrementAndGet));
  }

  @Override
  public SnapshotStore openSnapshots() {
    return new FileSnapshotStore(DATA.resolve("snapshots"), fs);
  }

  @Override
  public void crash(RandomGenerator random) {
    fs.crash(CrashPlan.random(random));
  }

  @Override
  public void wipe() {
    fs.wipe();
  }

  /** An operator deletes the term and vote file (the machine must be down). */
  void loseMetaFile() {
    try {
      fs.deleteDurably(DATA.resolve(MetaFile.NAME));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean loseTermAndVote() {
    Path meta = DATA.resolve(MetaFile.NAME);
    try {
      if (!fs.exists(meta)) {
        return false;
      }
      lostMeta = fs.readAllBytes(meta);
      fs.deleteDurably(meta);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void restoreTermAndVote() {
    if (lostMeta == null) {
      throw new IllegalStateException("no meta file was lost");
    }
    Path meta = DATA.resolve(MetaFile.NAME);
    try (FileChannel channel = fs.open(meta, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(lostMeta);
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
      fs.syncDirectory(DATA);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    lostMeta = null;
  }

  /** An operator copies one file of another machine's data directory over this one's. */
  void copyFileOf(FileStoreDisk other, String name) {
    try {
      fs.replaceWithCopyOf(other.fs, DATA.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An operator puts a copy of another machine's data directory in place of this one's. */
  void replaceWithCopyOf(FileStoreDisk other) {
    try {
      fs.replaceWithCopyOf(other.fs, DATA);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The crashes so far, and those that kept a later unsynced page without an earlier one. */
  int crashes() {
    return fs.crashes();
  }

  int reorderedCrashes() {
    return fs.reorderedCrashes();
  }

  SimFileSystem fileSystem() {
    return fs;
  }
}
