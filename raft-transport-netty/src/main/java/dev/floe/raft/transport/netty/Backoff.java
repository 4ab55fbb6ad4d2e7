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
 * Reconnection delays: exponential in the number of consecutive failures, capped, with jitter so
 * that nodes that lost a peer together do not all redial at the same instant. Pure; the caller
 * supplies the random draw.
 */
final class Backoff {
  private final long minNanos;
  private final long maxNanos;

  Backoff(long minNanos, long maxNanos) {
    if (minNanos <= 0 || maxNanos < minNanos) {
      throw new IllegalArgumentException("need 0 < min <= max: " + minNanos + ", " + maxNanos);
    }
    this.minNanos = minNanos;
    this.maxNanos = maxNanos;
  }

  /**
   * Returns the delay before the next attempt.
   *
   * @param failures consecutive failed attempts so far; 0 means "redial at once"
   * @param random a number in [0, 1)
   * @return 0 if {@code failures} is 0, otherwise a delay in [d/2, d) where d is {@code min *
   *     2^(failures-1)} capped at {@code max}
   */
  long delayNanos(int failures, double random) {
    if (failures <= 0) {
      return 0;
    }
    int shift = Math.min(failures - 1, 62 - (63 - Long.numberOfLeadingZeros(minNanos)));
    long ceiling = shift <= 0 ? minNanos : minNanos << shift;
    if (ceiling <= 0 || ceiling > maxNanos) {
      ceiling = maxNanos;
    }
    long half = ceiling / 2;
    return half + (long) (random * (ceiling - half));
  }
}
