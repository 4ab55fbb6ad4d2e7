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

import java.util.PriorityQueue;
import java.util.random.RandomGenerator;

/**
 * Virtual time: a queue of tasks ordered by due time, then by submission order, run one at a time
 * on the caller's thread. With the one seeded random source, a run is a function of its seed.
 */
final class Scheduler {
  private record Task(long dueMicros, long seq, Runnable body) {}

  private final PriorityQueue<Task> queue =
      new PriorityQueue<>((a, b) -> a.dueMicros != b.dueMicros
          ? Long.compare(a.dueMicros, b.dueMicros) : Long.compare(a.seq, b.seq));
  private final RandomGenerator random;
  private long nowMicros;
  private long seq;
  private long executed;

  Scheduler(RandomGenerator random) {
    this.random = random;
  }

  RandomGenerator random() {
    return random;
  }

  long nowMicros() {
    return nowMicros;
  }

  long executed() {
    return executed;
  }

  void schedule(long delayMicros, Runnable body) {
    queue.add(new Task(nowMicros + Math.max(0, delayMicros), seq++, body));
  }

  /** Runs the next task if it is due by {@code untilMicros}; returns whether one ran. */
  boolean runNext(long untilMicros) {
    Task t = queue.peek();
    if (t == null || t.dueMicros > untilMicros) {
      nowMicros = Math.max(nowMicros, untilMicros);
      return false;
    }
    queue.poll();
    nowMicros = t.dueMicros;
    executed++;
    t.body.run();
    return true;
  }
}
