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

import dev.floe.raft.sim.Workload;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * What the simulated clients do to the counter map: mostly additions (negative ones too) to a few
 * counters, some of them named outside ASCII, batches, deletions; reads of one counter or of the
 * total. Large commands are batches that fill the size asked for exactly.
 */
final class CounterWorkload implements Workload {
  private static final List<String> KEYS =
      List.of("apples", "pears", "zähler", "счётчик", "計數器", "k1", "k2", "k3");

  private static String key(RandomGenerator random) {
    return KEYS.get(random.nextInt(KEYS.size()));
  }

  @Override
  public byte[] command(RandomGenerator random) {
    int dice = random.nextInt(100);
    if (dice < 70) {
      return CounterCommands.add(key(random), random.nextLong(-1_000, 1_001));
    } else if (dice < 85) {
      Map<String, Long> deltas = new LinkedHashMap<>();
      for (int i = 1 + random.nextInt(4); i > 0; i--) {
        deltas.merge(key(random), random.nextLong(-50, 51), Long::sum);
      }
      return CounterCommands.addAll(deltas);
    }
    return CounterCommands.delete(key(random));
  }

  @Override
  public byte[] query(RandomGenerator random) {
    return random.nextInt(4) == 0 ? CounterCommands.total() : CounterCommands.get(key(random));
  }

  /**
   * A batch of additions to counters {@code bulk-0-xxx...}, {@code bulk-1-xxx...}, ... with keys
   * of about a kilobyte, of exactly {@code sizeBytes} bytes; null if that is too small for one.
   */
  @Override
  public byte[] largeCommand(RandomGenerator random, int sizeBytes) {
    int keyBytes = 1_000;
    int smallest = CounterCommands.ENTRY_OVERHEAD_BYTES + 12; // room for a key's prefix
    int left = sizeBytes - CounterCommands.ADD_ALL_HEADER_BYTES;
    if (left < smallest) {
      return null;
    }
    Map<String, Long> deltas = new LinkedHashMap<>();
    for (int n = 0; left > 0; n++) {
      int key = left - CounterCommands.ENTRY_OVERHEAD_BYTES - keyBytes < smallest
          ? left - CounterCommands.ENTRY_OVERHEAD_BYTES // the last entry takes what is left
          : keyBytes;
      String prefix = "bulk-" + n + "-";
      deltas.put(prefix + "x".repeat(key - prefix.length()), 1 + random.nextLong(9));
      left -= CounterCommands.ENTRY_OVERHEAD_BYTES + key;
    }
    return CounterCommands.addAll(deltas);
  }
}
