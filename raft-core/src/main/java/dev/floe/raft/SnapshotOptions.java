package dev.floe.raft;

/**
 * When a node snapshots its state machine and compacts its log, and how it streams snapshots.
 *
 * @param thresholdEntries take a snapshot once this many entries were applied since the last one
 * @param trailingEntries keep this many entries before the snapshot point in the log, so that a
 *     follower slightly behind catches up from the log rather than by a whole snapshot
 * @param chunkBytes the size of each InstallSnapshot chunk sent to a follower (one is in flight at
 *     a time, so memory stays bounded whatever the snapshot's size)
 */
public record SnapshotOptions(long thresholdEntries, long trailingEntries, int chunkBytes) {
  /** Validates the values. */
  public SnapshotOptions {
    if (thresholdEntries < 1 || trailingEntries < 0 || chunkBytes < 1) {
      throw new IllegalArgumentException("invalid snapshot options: threshold " + thresholdEntries
          + ", trailing " + trailingEntries + ", chunk " + chunkBytes);
    }
  }

  /** A snapshot every 100,000 entries, 10,000 trailing entries, 1 MiB chunks. */
  public static SnapshotOptions defaults() {
    return new SnapshotOptions(100_000, 10_000, 1 << 20);
  }
}
