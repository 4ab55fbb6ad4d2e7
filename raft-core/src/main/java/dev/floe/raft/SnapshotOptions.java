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
package dev.floe.raft;

/**
 * When a node snapshots its state machine and compacts its log, and how it streams snapshots.
 *
 * <p>A snapshot is taken when either threshold is reached: {@code thresholdEntries} entries or
 * {@code thresholdBytes} bytes of commands applied since the last one. The byte threshold bounds
 * the log's size on disk when commands are large; the entry threshold bounds it when they are
 * small.
 *
 * @param thresholdEntries take a snapshot once this many entries were applied since the last one
 * @param trailingEntries keep this many entries before the snapshot point in the log, so that a
 *     follower slightly behind catches up from the log rather than by a whole snapshot
 * @param chunkBytes the size of each InstallSnapshot chunk sent to a follower (one is in flight at
 *     a time, so memory stays bounded whatever the snapshot's size)
 * @param thresholdBytes take a snapshot once the commands applied since the last one add up to
 *     this many bytes ({@link Long#MAX_VALUE} for no byte threshold)
 */
public record SnapshotOptions(
    long thresholdEntries, long trailingEntries, int chunkBytes, long thresholdBytes) {
  /**
   * Validates the values.
   *
   * @param thresholdEntries take a snapshot once this many entries were applied since the last one
   * @param trailingEntries keep this many entries before the snapshot point in the log
   * @param chunkBytes the size of each InstallSnapshot chunk sent to a follower
   * @param thresholdBytes take a snapshot once the commands applied since the last one add up to
   *     this many bytes
   * @throws IllegalArgumentException if a threshold or the chunk size is below 1, or {@code
   *     trailingEntries} is negative
   */
  public SnapshotOptions {
    if (thresholdEntries < 1 || trailingEntries < 0 || chunkBytes < 1 || thresholdBytes < 1) {
      throw new IllegalArgumentException("invalid snapshot options: threshold " + thresholdEntries
          + " entries or " + thresholdBytes + " bytes, trailing " + trailingEntries + ", chunk "
          + chunkBytes);
    }
  }

  /**
   * Options with an entry threshold only.
   *
   * @param thresholdEntries take a snapshot once this many entries were applied since the last one
   * @param trailingEntries keep this many entries before the snapshot point in the log
   * @param chunkBytes the size of each InstallSnapshot chunk sent to a follower
   */
  public SnapshotOptions(long thresholdEntries, long trailingEntries, int chunkBytes) {
    this(thresholdEntries, trailingEntries, chunkBytes, Long.MAX_VALUE);
  }

  /**
   * These options with a byte threshold as well.
   *
   * @param bytes take a snapshot once the commands applied since the last one add up to this many
   *     bytes
   * @return new options, with this byte threshold
   */
  public SnapshotOptions withThresholdBytes(long bytes) {
    return new SnapshotOptions(thresholdEntries, trailingEntries, chunkBytes, bytes);
  }

  /**
   * A snapshot every 100,000 entries or 64 MiB of commands, 10,000 trailing entries, 1 MiB chunks.
   *
   * @return the default options
   */
  public static SnapshotOptions defaults() {
    return new SnapshotOptions(100_000, 10_000, 1 << 20, 64L << 20);
  }
}
