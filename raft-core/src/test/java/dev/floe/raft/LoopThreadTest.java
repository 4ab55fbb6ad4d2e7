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

import dev.floe.raft.spi.EventLoop;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoopThreadTest {

  @Test
  void tasksFromManyThreadsRunOneAtATimeInEachSubmittersOrder() throws Exception {
    try (LoopThread loop = new LoopThread("test-loop")) {
      int threads = 4;
      int perThread = 20_000;
      List<List<Integer>> seen = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        seen.add(new ArrayList<>());
      }
      AtomicInteger concurrent = new AtomicInteger();
      AtomicInteger overlaps = new AtomicInteger();
      CountDownLatch done = new CountDownLatch(threads * perThread);
      List<Thread> submitters = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int submitter = t;
        Thread th = new Thread(() -> {
          for (int i = 0; i < perThread; i++) {
            int n = i;
            loop.execute(() -> {
              if (concurrent.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
              }
              seen.get(submitter).add(n); // only the loop thread touches the lists
              concurrent.decrementAndGet();
              done.countDown();
            });
          }
        });
        submitters.add(th);
        th.start();
      }
      for (Thread th : submitters) {
        th.join();
      }
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(overlaps).hasValue(0);
      for (List<Integer> s : seen) {
        assertThat(s).hasSize(perThread).isSorted();
      }
    }
  }

  @Test
  void timersRunInDueOrderAndACancelledOneNeverRuns() throws Exception {
    try (LoopThread loop = new LoopThread("test-timers")) {
      List<String> ran = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch done = new CountDownLatch(1);
      loop.schedule(60, () -> ran.add("late"));
      EventLoop.Cancellable cancelled = loop.schedule(30, () -> ran.add("cancelled"));
      loop.schedule(10, () -> ran.add("early"));
      loop.schedule(10, () -> ran.add("early, second"));
      loop.schedule(90, done::countDown);
      cancelled.cancel();
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(ran).containsExactly("early", "early, second", "late");
    }
  }

  @Test
  void aFailingTaskDoesNotStopTheLoop() throws Exception {
    try (LoopThread loop = new LoopThread("test-failures")) {
      CountDownLatch after = new CountDownLatch(1);
      loop.execute(() -> {
        throw new IllegalStateException("expected by the test");
      });
      loop.execute(after::countDown);
      assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
