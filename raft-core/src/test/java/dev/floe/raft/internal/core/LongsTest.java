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
package dev.floe.raft.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongsTest {
  @Test
  void matchesAListAcrossChunkBoundariesUnderAddsDropsAndTruncations() {
    for (long seed = 1; seed <= 10; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      Longs longs = new Longs();
      List<Long> model = new ArrayList<>();
      for (int step = 0; step < 3_000; step++) {
        int choice = random.nextInt(20);
        if (choice < 16) {
          int n = 1 + random.nextInt(700);
          for (int i = 0; i < n; i++) {
            long v = random.nextLong();
            longs.add(v);
            model.add(v);
          }
        } else if (choice < 18 && !model.isEmpty()) {
          int n = random.nextInt(model.size() + 1);
          longs.dropHead(n);
          model.subList(0, n).clear();
        } else if (!model.isEmpty()) {
          int size = random.nextInt(model.size() + 1);
          longs.truncate(size);
          model.subList(size, model.size()).clear();
        }
        assertThat(longs.size()).isEqualTo(model.size());
        if (!model.isEmpty()) {
          int i = random.nextInt(model.size());
          assertThat(longs.get(i)).as("seed %d step %d index %d", seed, step, i)
              .isEqualTo(model.get(i));
          assertThat(longs.last()).isEqualTo(model.get(model.size() - 1));
          longs.set(i, 42);
          model.set(i, 42L);
        }
      }
      for (int i = 0; i < model.size(); i++) {
        assertThat(longs.get(i)).isEqualTo(model.get(i));
      }
    }
  }
}
