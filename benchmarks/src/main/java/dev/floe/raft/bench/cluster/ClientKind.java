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
package dev.floe.raft.bench.cluster;

import java.util.Locale;

/**
 * Which thread of the benchmark's closed-loop client submits the next command once one completes.
 * Every output line of {@link dev.floe.raft.bench.ClusterBenchmark} names it.
 */
public enum ClientKind {
  /**
   * Like an application's client, and like the peers harness: one client thread owns every
   * submit; a completion, on whatever Floe thread it runs, records its latency and hands its slot
   * back to that thread through a queue. The figure to quote.
   */
  APP,
  /**
   * The completion callback submits the next command itself, on Floe's own thread. It skips the
   * client thread's wake-up that every application pays, so it flatters Floe; a labelled variant.
   */
  INLINE;

  /** The name used on the command line and in the output: {@code app} or {@code inline}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code app} or {@code inline}, ignoring case and surrounding spaces.
   *
   * @throws IllegalArgumentException naming the text and the accepted values otherwise
   */
  public static ClientKind parse(String text) {
    for (ClientKind k : values()) {
      if (k.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown client '" + text + "': expected app or inline");
  }
}
