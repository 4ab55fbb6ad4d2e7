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

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks in the order given, each after 1 to {@code maxHops} turns of an underlying disk
 * thread instead of one: a disk whose forces take a while, as real ones do, so that a simulated
 * power loss often finds written pages not yet durable. Which turn completes a task is drawn from
 * a generator seeded at construction, so that runs replay. Not thread-safe (simulator thread).
 */
final class SlowDisk implements Executor {
  private final Executor disk;
  private final int maxHops;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private long state;

  SlowDisk(Executor disk, int maxHops, long seed) {
    this.disk = disk;
    this.maxHops = maxHops;
    this.state = seed;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    hop(1 + (int) Math.floorMod(next(), (long) maxHops));
  }

  /** After {@code hops} turns of the disk, runs the oldest task: the order is kept. */
  private void hop(int hops) {
    disk.execute(hops == 1 ? () -> tasks.poll().run() : () -> hop(hops - 1));
  }

  /** SplitMix64: a small deterministic generator. */
  private long next() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
