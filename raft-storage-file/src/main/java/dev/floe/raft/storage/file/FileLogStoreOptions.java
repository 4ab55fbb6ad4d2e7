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

/**
 * Settings of a {@link FileLogStore}.
 *
 * <p>Group commit: the store's sync thread makes writes durable with one {@code force} for every
 * {@code sync()} request waiting at that moment. It forces as soon as it has no more queued work (so
 * a lone write is never delayed), and otherwise once {@code syncBytesThreshold} bytes were written
 * since the last force or the oldest waiting request has waited {@code maxSyncDelayMicros}.
 *
 * @param segmentSizeBytes the size at which a segment file is closed and a new one started; a
 *     segment always holds at least one record, so one large entry may exceed it
 * @param syncBytesThreshold force once this many bytes were written since the last force
 * @param maxSyncDelayMicros force once the oldest waiting {@code sync()} request is this old
 * @param preallocateBytes how many bytes of zeros the segment being written gets at a time ahead of
 *     the log's end, topped up when fewer than half remain (0 for none): a force that does not
 *     change a file's size need not commit file-system metadata, which makes every commit's force
 *     cheaper. A write of at least this many bytes that runs past the zeros gets none after it
 *     (zeros would double its bytes on the disk; its one size change is shared by many bytes).
 *     Each fill is written back to disk by the next force, so larger fills make rarer but slower
 *     forces
 */
public record FileLogStoreOptions(
    long segmentSizeBytes, long syncBytesThreshold, long maxSyncDelayMicros,
    long preallocateBytes) {

  /**
   * 64 MiB segments, force after 1 MiB or 2 ms of waiting, zeros kept ahead of the log 256 KiB at
   * a time. (With 1 MiB at a time, the force that wrote a fill back to disk was the slowest of its
   * neighbours and set the commit p99: docs/benchmarks.md, thirteenth round.)
   */
  public static final FileLogStoreOptions DEFAULTS =
      new FileLogStoreOptions(64L << 20, 1L << 20, 2_000, 256L << 10);

  /**
   * Validates the settings.
   *
   * @param segmentSizeBytes the size at which a segment file is closed and a new one started
   * @param syncBytesThreshold force once this many bytes were written since the last force
   * @param maxSyncDelayMicros force once the oldest waiting {@code sync()} request is this old, in
   *     microseconds
   * @param preallocateBytes how far ahead of the log's end the segment being written is
   *     preallocated (0 for not at all)
   */
  public FileLogStoreOptions {
    if (segmentSizeBytes < 1024) {
      throw new IllegalArgumentException("segmentSizeBytes must be >= 1024: " + segmentSizeBytes);
    }
    if (syncBytesThreshold < 1) {
      throw new IllegalArgumentException("syncBytesThreshold must be >= 1: " + syncBytesThreshold);
    }
    if (maxSyncDelayMicros < 0) {
      throw new IllegalArgumentException("maxSyncDelayMicros must be >= 0: " + maxSyncDelayMicros);
    }
    if (preallocateBytes < 0 || preallocateBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("preallocateBytes must be 0 to 2^31-1: " + preallocateBytes);
    }
  }

  /**
   * Returns these options with another segment size.
   *
   * @param bytes the segment size
   * @return the new options
   */
  public FileLogStoreOptions withSegmentSizeBytes(long bytes) {
    return new FileLogStoreOptions(bytes, syncBytesThreshold, maxSyncDelayMicros, preallocateBytes);
  }

  /**
   * Returns these options with other group-commit triggers.
   *
   * @param syncBytesThreshold force once this many bytes were written since the last force
   * @param maxSyncDelayMicros force once the oldest waiting {@code sync()} request is this old, in
   *     microseconds
   * @return the new options
   */
  public FileLogStoreOptions withGroupCommit(long syncBytesThreshold, long maxSyncDelayMicros) {
    return new FileLogStoreOptions(
        segmentSizeBytes, syncBytesThreshold, maxSyncDelayMicros, preallocateBytes);
  }

  /**
   * Returns these options with another preallocation (0 for none).
   *
   * @param bytes how far ahead a segment file is preallocated
   * @return the new options
   */
  public FileLogStoreOptions withPreallocateBytes(long bytes) {
    return new FileLogStoreOptions(segmentSizeBytes, syncBytesThreshold, maxSyncDelayMicros, bytes);
  }
}
