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
