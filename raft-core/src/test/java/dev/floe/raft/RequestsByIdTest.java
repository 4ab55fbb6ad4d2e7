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
package dev.floe.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RequestsByIdTest {
  @Test
  void behavesAsASortedMapUnderRandomAddsAndRemovals() {
    for (long seed = 1; seed <= 20; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      RequestsById<String> map = new RequestsById<>();
      TreeMap<Long, String> model = new TreeMap<>();
      long next = 1;
      for (int step = 0; step < 5_000; step++) {
        int choice = random.nextInt(10);
        if (choice < 5) {
          next += 1 + random.nextInt(3);
          map.put(next, "v" + next);
          model.put(next, "v" + next);
        } else if (choice < 9) {
          long id = model.isEmpty() || random.nextBoolean() ? 1 + random.nextLong(next)
              : model.firstKey();
          assertThat(map.remove(id)).as("seed %d, remove %d", seed, id).isEqualTo(model.remove(id));
        } else {
          long id = 1 + random.nextLong(next);
          assertThat(map.containsKey(id)).isEqualTo(model.containsKey(id));
        }
        assertThat(map.size()).isEqualTo(model.size());
        if (!model.isEmpty()) {
          assertThat(map.firstKey()).isEqualTo(model.firstKey());
        }
      }
      List<String> values = new ArrayList<>();
      map.forEachValue(values::add);
      assertThat(values).containsExactlyElementsOf(model.values());
      map.clear();
      assertThat(map.isEmpty()).isTrue();
      map.put(next + 1, "after clear");
      assertThat(map.firstKey()).isEqualTo(next + 1);
    }
  }

  @Test
  void refusesAnIdNotAboveTheLastOneAdded() {
    RequestsById<String> map = new RequestsById<>();
    map.put(5, "five");
    assertThatThrownBy(() -> map.put(5, "again")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5");
    assertThatThrownBy(() -> map.put(3, "lower")).isInstanceOf(IllegalArgumentException.class);
    assertThat(map.remove(5)).isEqualTo("five");
    assertThatThrownBy(map::firstKey).isInstanceOf(IllegalStateException.class);
  }
}
