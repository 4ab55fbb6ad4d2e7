package dev.floe.raft.sim;

import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.SnapshotStore;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * The simulator's default disk: an {@link InMemoryLogStore.Disk} (a crash keeps a random prefix of
 * the unsynced writes) and an {@link InMemorySnapshotStore.Shelf} (snapshots publish atomically).
 */
public final class MemoryDisk implements SimDisk {
  private final InMemoryLogStore.Disk log = new InMemoryLogStore.Disk();
  private final InMemorySnapshotStore.Shelf shelf = new InMemorySnapshotStore.Shelf();

  @Override
  public LogStore openLog(Executor diskThread) {
    return new InMemoryLogStore(log, diskThread::execute);
  }

  @Override
  public SnapshotStore openSnapshots() {
    return new InMemorySnapshotStore(shelf);
  }

  @Override
  public void crash(RandomGenerator random) {
    log.crash(random);
  }

  @Override
  public void wipe() {
    log.wipe();
    shelf.wipe();
  }
}
