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

import java.util.Arrays;
import java.util.Objects;

/**
 * Describes a snapshot: the log prefix it replaces and the cluster configuration as of its end.
 *
 * @param index the last log index the snapshot covers
 * @param term the term of the entry at {@code index}
 * @param configuration the encoded cluster configuration as of {@code index} (may be empty)
 * @param sizeBytes the size of the snapshot's data
 */
public record SnapshotMeta(long index, long term, byte[] configuration, long sizeBytes) {
  /**
   * Validates the fields.
   *
   * @param index the last log index the snapshot covers
   * @param term the term at that index
   * @param configuration the encoded cluster configuration as of that index
   * @param sizeBytes the size of the snapshot's data
   */
  public SnapshotMeta {
    if (index < 1 || term < 1 || sizeBytes < 0) {
      throw new IllegalArgumentException(
          "invalid snapshot meta: index " + index + ", term " + term + ", size " + sizeBytes);
    }
    Objects.requireNonNull(configuration, "configuration");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SnapshotMeta m && index == m.index && term == m.term
        && sizeBytes == m.sizeBytes && Arrays.equals(configuration, m.configuration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, term, sizeBytes) * 31 + Arrays.hashCode(configuration);
  }

  @Override
  public String toString() {
    return "SnapshotMeta[" + index + "@" + term + ", " + sizeBytes + " bytes]";
  }
}
