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
package dev.floe.raft.transport.netty;

/**
 * A range of protocol versions, both ends included: those a node speaks, or those a dialer's
 * handshake offers.
 *
 * @param min the lowest version
 * @param max the highest version
 */
record ProtocolVersions(int min, int max) {
  /** What this code speaks: the current version and the one before it. */
  static final ProtocolVersions CURRENT =
      new ProtocolVersions(WireFormat.MIN_VERSION, WireFormat.VERSION);

  /**
   * Validates the range.
   *
   * @throws IllegalArgumentException if {@code min} is below 1 or above {@code max}, or {@code
   *     max} does not fit in a u16
   */
  ProtocolVersions {
    if (min < 1 || min > max || max > 0xFFFF) {
      throw new IllegalArgumentException("bad protocol version range " + min + " to " + max);
    }
  }

  /** The range of one version. */
  static ProtocolVersions exactly(int version) {
    return new ProtocolVersions(version, version);
  }

  /** Returns the highest version in both ranges, or 0 if they have none in common. */
  int highestCommon(ProtocolVersions other) {
    int highest = Math.min(max, other.max);
    return highest >= Math.max(min, other.min) ? highest : 0;
  }

  /** Returns whether {@code version} is in the range. */
  boolean contains(int version) {
    return version >= min && version <= max;
  }

  /** {@code "4 to 5"}, or {@code "4"} for a range of one version. */
  @Override
  public String toString() {
    return min == max ? String.valueOf(min) : min + " to " + max;
  }
}
