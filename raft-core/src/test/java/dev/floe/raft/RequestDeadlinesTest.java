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

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RequestDeadlinesTest {
  private record Deadline(long tick, long id, CompletableFuture<?> future, String what) {}

  @Test
  void keepsDeadlinesInOrderAcrossWrapsAndGrowth() {
    SplittableRandom random = new SplittableRandom(7);
    RequestDeadlines ring = new RequestDeadlines();
    ArrayDeque<Deadline> model = new ArrayDeque<>();
    long id = 0;
    for (int step = 0; step < 20_000; step++) {
      if (random.nextInt(3) > 0 || model.isEmpty()) {
        Deadline d = new Deadline(step, ++id, new CompletableFuture<>(), "what " + id);
        ring.addLast(d.tick(), d.id(), d.future(), d.what());
        model.addLast(d);
      } else {
        Deadline d = model.pollFirst();
        assertThat(ring.firstTick()).isEqualTo(d.tick());
        assertThat(ring.firstRequestId()).isEqualTo(d.id());
        assertThat(ring.firstFuture()).isSameAs(d.future());
        assertThat(ring.firstWhat()).isEqualTo(d.what());
        ring.removeFirst();
      }
      assertThat(ring.isEmpty()).isEqualTo(model.isEmpty());
    }
    ring.clear();
    assertThat(ring.isEmpty()).isTrue();
  }
}
