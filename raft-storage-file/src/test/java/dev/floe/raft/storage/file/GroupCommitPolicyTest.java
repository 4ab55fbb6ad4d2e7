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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GroupCommitPolicyTest {
  private static final long THRESHOLD_BYTES = 1000;
  private static final long MAX_DELAY_NANOS = 5_000;
  private final GroupCommitPolicy policy = new GroupCommitPolicy(THRESHOLD_BYTES, MAX_DELAY_NANOS);

  @Test
  void neverForcesWhileNoSyncWaits() {
    assertThat(policy.shouldForce(false, true, 1_000_000, 0, 1_000_000_000)).isFalse();
  }

  @Test
  void forcesALoneWriteAtOnceWhenTheQueueRanEmpty() {
    assertThat(policy.shouldForce(true, true, 100, 1_000, 1_000)).isTrue();
  }

  @Test
  void keepsGatheringWhileMoreWorkIsQueuedAndLimitsAreNotReached() {
    assertThat(policy.shouldForce(true, false, THRESHOLD_BYTES - 1, 1_000, 1_000 + MAX_DELAY_NANOS - 1))
        .isFalse();
  }

  @Test
  void forcesOnceEnoughBytesAreBufferedEvenIfMoreWorkIsQueued() {
    assertThat(policy.shouldForce(true, false, THRESHOLD_BYTES, 1_000, 1_000)).isTrue();
  }

  @Test
  void forcesOnceTheOldestWaitingSyncHasWaitedLongEnough() {
    assertThat(policy.shouldForce(true, false, 1, 1_000, 1_000 + MAX_DELAY_NANOS)).isTrue();
  }

  @Test
  void measuresTheWaitWithNanoTimeArithmeticThatSurvivesOverflow() {
    long before = Long.MAX_VALUE - 10;
    long after = before + MAX_DELAY_NANOS; // wraps around
    assertThat(policy.shouldForce(true, false, 1, before, after)).isTrue();
    assertThat(policy.shouldForce(true, false, 1, before, before + 1)).isFalse();
  }

  @Test
  void rejectsAThresholdBelowOneByte() {
    assertThatThrownBy(() -> new GroupCommitPolicy(0, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
