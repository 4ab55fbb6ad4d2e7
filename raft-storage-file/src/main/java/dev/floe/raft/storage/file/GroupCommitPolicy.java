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
 * Decides when the sync thread forces the log: the group-commit rule, kept free of clocks and I/O
 * so it can be tested alone. Time is passed in as {@link System#nanoTime()} readings.
 *
 * <p>Forcing is pointless while no {@code sync()} waits. Otherwise the thread forces as soon as its
 * queue ran empty (nothing more to add to this group, so a lone write is not delayed), when at least
 * {@code syncBytesThreshold} bytes were written since the last force, or when the oldest waiting
 * request has waited {@code maxSyncDelayNanos}.
 */
final class GroupCommitPolicy {
  private final long syncBytesThreshold;
  private final long maxSyncDelayNanos;

  GroupCommitPolicy(long syncBytesThreshold, long maxSyncDelayNanos) {
    if (syncBytesThreshold < 1 || maxSyncDelayNanos < 0) {
      throw new IllegalArgumentException(
          "bad group commit settings: " + syncBytesThreshold + " bytes, " + maxSyncDelayNanos + " ns");
    }
    this.syncBytesThreshold = syncBytesThreshold;
    this.maxSyncDelayNanos = maxSyncDelayNanos;
  }

  /**
   * Returns whether to force now.
   *
   * @param syncWaiting whether at least one {@code sync()} request waits for the next force
   * @param queueEmpty whether the thread has no more queued work right now
   * @param unforcedBytes bytes written since the last force
   * @param oldestWaitingSinceNanos when the oldest waiting request was made (ignored if none)
   * @param nowNanos the current time, on the same clock
   */
  boolean shouldForce(
      boolean syncWaiting,
      boolean queueEmpty,
      long unforcedBytes,
      long oldestWaitingSinceNanos,
      long nowNanos) {
    if (!syncWaiting) {
      return false;
    }
    return queueEmpty
        || unforcedBytes >= syncBytesThreshold
        || nowNanos - oldestWaitingSinceNanos >= maxSyncDelayNanos;
  }
}
