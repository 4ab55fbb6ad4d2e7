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

import java.util.Arrays;

/**
 * Bytes as a hash key, by content, with a hash that samples at most a few hundred of them (both
 * ends and a stride between), so that a megabyte command costs little to look up; equal keys are
 * compared in full, at once when they are one array.
 */
final class ContentKey {
  private static final int ENDS = 64;
  private static final int SAMPLES = 128;

  private final byte[] bytes;
  private final int hash;

  ContentKey(byte[] bytes) {
    this.bytes = bytes;
    this.hash = hash(bytes);
  }

  private static int hash(byte[] b) {
    int n = b.length;
    if (n <= 2 * ENDS + SAMPLES) {
      return Arrays.hashCode(b);
    }
    int h = n;
    for (int i = 0; i < ENDS; i++) {
      h = 31 * (31 * h + b[i]) + b[n - 1 - i];
    }
    int step = n / SAMPLES;
    for (int i = ENDS; i < n - ENDS; i += step) {
      h = 31 * h + b[i];
    }
    return h;
  }

  byte[] bytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContentKey k && hash == k.hash && Checker.sameBytes(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
