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
 * <p>Used on the simulator's one thread only.
 */
public interface SimDisk {

  /**
   * Opens the log store of a new incarnation of the node.
   *
   * @param diskThread runs the store's background work (such as its syncs), one task at a time in
   *     the order given, each after a latency of the disk, on virtual time; the tasks of an
   *     incarnation that crashed never run
   */
  LogStore openLog(Executor diskThread);

  /** Opens the snapshot store of a new incarnation of the node. */
  SnapshotStore openSnapshots();

  /**
   * Power loss: every write that no completed sync covered may be lost, in whole or in part, as a
   * real disk may lose it. The stores opened before are abandoned.
   */
  void crash(RandomGenerator random);

  /** Loses everything, as if the disk were replaced by a new one. */
  void wipe();
}
