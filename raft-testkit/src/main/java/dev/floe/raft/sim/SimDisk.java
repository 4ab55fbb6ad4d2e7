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

import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.SnapshotStore;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * A simulated machine's disk: where its log and its snapshots live, across the incarnations of
 * the node that runs on it. The simulator opens stores on it at every start, and tells it when the
 * power fails. The default ({@link MemoryDisk}) keeps everything in memory; a store's own module
 * can supply a disk that runs its real store over a simulated file system.
 *
 * <p>Besides power loss, the simulator plays an operator's mistakes on a stopped machine's disk:
 * it moves whole disks between machines (a swapped data directory, which every disk supports), and
 * asks the disk to lose its term and vote ({@link #loseTermAndVote}), which a disk may not support.
 * It expects the node to refuse to start on what is left.
 *
 * <p>Used on the simulator's one thread only.
 */
public interface SimDisk {

  /**
   * Opens the log store of a new incarnation of the node.
   *
   * @param diskThread runs the store's background work (such as its syncs), one task at a time in
   *     the order given, each after a latency of the disk, on virtual time; the tasks of an
   *     incarnation that crashed never run
   * @return the log store
   */
  LogStore openLog(Executor diskThread);

  /** {@return opens the snapshot store of a new incarnation of the node} */
  SnapshotStore openSnapshots();

  /**
   * Power loss: every write that no completed sync covered may be lost, in whole or in part, as a
   * real disk may lose it. The stores opened before are abandoned.
   *
   * @param random decides what is lost
   */
  void crash(RandomGenerator random);

  /** Loses everything, as if the disk were replaced by a new one. */
  void wipe();

  /**
   * An operator's mistake while the machine is stopped (after {@link #crash}): the durable term and
   * vote (a file store's meta file) is lost, while the identity and the log stay. A correct store
   * then refuses to open, rather than read the node as new with term 0 and no vote. Not every disk
   * can do it; by default none does.
   *
   * @return whether the record was lost: false if the disk does not support it or holds none (it
   *     is blank); only then may {@link #restoreTermAndVote} be called
   */
  default boolean loseTermAndVote() {
    return false;
  }

  /**
   * Puts back, exactly as it was, the record {@link #loseTermAndVote} lost (the operator restores
   * the file from where it went).
   *
   * @throws UnsupportedOperationException if the disk does not support losing it
   */
  default void restoreTermAndVote() {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " cannot lose its term and vote, so it has none to restore");
  }

  /**
   * Whether {@code failure}, which stopped a node running on this disk ({@code Role.STOPPED}), is a
   * failure the disk injected on purpose (a full disk, an I/O error): the node then did what it
   * should. Any other failure that stops a node is reported as a bug. By default a disk injects
   * none.
   *
   * @param failure the node's failure, with its causes
   * @return whether the disk injected it
   */
  default boolean injected(Throwable failure) {
    return false;
  }
}
