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
package com.example.counter;

import dev.floe.raft.sim.Model;
import java.util.HashMap;
import java.util.Map;

/**
 * What the counter map should do, as plainly as possible: a hash map, no snapshots. The simulator
 * checks every result and every read of the cluster against it.
 */
final class CounterModel implements Model {
  private final Map<String, Long> counters = new HashMap<>();

  @Override
  public byte[] apply(long index, byte[] command) {
    CounterCommands.Decoded c = CounterCommands.decode(command);
    return switch (c.type()) {
      case CounterCommands.ADD -> CounterCommands.number(counters.merge(c.key(), c.delta(),
          Long::sum));
      case CounterCommands.ADD_ALL -> {
        c.deltas().forEach((key, delta) -> counters.merge(key, delta, Long::sum));
        yield CounterCommands.number(counters.size());
      }
      case CounterCommands.DELETE -> {
        Long before = counters.remove(c.key());
        yield CounterCommands.number(before == null ? 0 : before);
      }
      default -> throw new IllegalArgumentException("not a command: " + c.type());
    };
  }

  @Override
  public byte[] query(byte[] query) {
    CounterCommands.Decoded q = CounterCommands.decode(query);
    if (q.type() == CounterCommands.GET) {
      return CounterCommands.number(counters.getOrDefault(q.key(), 0L));
    }
    long sum = 0;
    for (long v : counters.values()) {
      sum += v;
    }
    return CounterCommands.total(sum, counters.size());
  }
}
