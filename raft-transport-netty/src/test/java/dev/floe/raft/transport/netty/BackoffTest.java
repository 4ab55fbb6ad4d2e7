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
package dev.floe.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(100, 1_000);

  @Test
  void noFailuresMeansRedialAtOnce() {
    assertThat(backoff.delayNanos(0, 0.9)).isZero();
  }

  @Test
  void theDelayDoublesPerFailureWithinHalfToWhole() {
    assertThat(backoff.delayNanos(1, 0.0)).isEqualTo(50);
    assertThat(backoff.delayNanos(1, 0.999)).isBetween(50L, 99L);
    assertThat(backoff.delayNanos(2, 0.0)).isEqualTo(100);
    assertThat(backoff.delayNanos(3, 0.0)).isEqualTo(200);
  }

  @Test
  void theDelayIsCappedAtTheMaximumEvenAfterManyFailures() {
    assertThat(backoff.delayNanos(5, 0.999)).isBetween(500L, 1_000L);
    assertThat(backoff.delayNanos(1_000, 0.0)).isEqualTo(500);
    assertThat(new Backoff(Long.MAX_VALUE / 4, Long.MAX_VALUE / 2).delayNanos(1_000, 0.5))
        .isPositive();
  }
}
