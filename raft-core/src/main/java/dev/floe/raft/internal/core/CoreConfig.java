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

/**
 * The core's settings, in ticks (the driver turns milliseconds into ticks).
 *
 * @param electionTicksMin the shortest election timeout
 * @param electionTicksMax the longest election timeout (exclusive); a timeout is drawn uniformly
 *     from {@code [min, max)} each time the timer resets
 * @param heartbeatTicks the interval between a leader's heartbeats
 * @param maxEntriesPerAppend the most entries in one AppendEntries
 * @param maxBytesPerAppend about the most entry bytes in one AppendEntries
 * @param maxInflightAppends the most AppendEntries in flight to one follower (the pipeline window)
 * @param maxInflightBytes about the most entry bytes in flight to one follower
 * @param preVote whether candidates run a pre-vote first (thesis §9.6)
 * @param checkQuorum whether a leader steps down when it has not heard from a majority within an
 *     election timeout, and followers ignore votes while they hear from a leader (thesis §6.2)
 * @param promoteWithinEntries a learner is promoted to voter once its log is within this many
 *     entries of the leader's
 * @param catchUpTicks how long a promotion waits for the learner to catch up before it is refused
 * @param tickNanos how long a tick lasts: what turns the minimum election timeout into the real
 *     time that leases and the refusal to vote are measured in (with the node's monotonic clock,
 *     since ticks may run late)
 * @param logCacheBytes the most bytes of applied entries a leader keeps in memory for followers
 *     that lack them; other applied entries are read back from the log store when needed
 */
public record CoreConfig(
    int electionTicksMin,
    int electionTicksMax,
    int heartbeatTicks,
    int maxEntriesPerAppend,
    long maxBytesPerAppend,
    int maxInflightAppends,
    long maxInflightBytes,
    boolean preVote,
    boolean checkQuorum,
    long promoteWithinEntries,
    long catchUpTicks,
    long tickNanos,
    long logCacheBytes) {

  /**
   * The most by which two nodes' clocks may disagree about the length of an interval, as a
   * fraction: over any interval, what one node's monotonic clock measures is at least {@code 1 -
   * MAX_CLOCK_DRIFT} times what another's measures. Leases rest on it (see {@link #leaseNanos()}).
   */
  public static final double MAX_CLOCK_DRIFT = 0.1;

  /** Validates the settings. */
  public CoreConfig {
    if (heartbeatTicks < 1) {
      throw new IllegalArgumentException("heartbeatTicks must be >= 1: " + heartbeatTicks);
    }
    if (electionTicksMin <= heartbeatTicks) {
      throw new IllegalArgumentException(
          "the election timeout (" + electionTicksMin + " ticks) must exceed the heartbeat interval ("
              + heartbeatTicks + " ticks)");
    }
    if (electionTicksMax <= electionTicksMin) {
      throw new IllegalArgumentException(
          "electionTicksMax (" + electionTicksMax + ") must exceed electionTicksMin ("
              + electionTicksMin + ")");
    }
    if (maxEntriesPerAppend < 1 || maxBytesPerAppend < 1 || maxInflightAppends < 1
        || maxInflightBytes < 1) {
      throw new IllegalArgumentException("append and in-flight limits must be >= 1");
    }
    if (tickNanos < 1) {
      throw new IllegalArgumentException("tickNanos must be >= 1: " + tickNanos);
    }
    if (logCacheBytes < 0) {
      throw new IllegalArgumentException("logCacheBytes must be >= 0: " + logCacheBytes);
    }
    if (promoteWithinEntries < 0 || catchUpTicks < 1) {
      throw new IllegalArgumentException("invalid learner catch-up settings: within "
          + promoteWithinEntries + " entries, " + catchUpTicks + " ticks");
    }
  }

  /** Settings that keep a follower pipeline's worth ({@code maxInflightBytes}) of applied entries. */
  public CoreConfig(int electionTicksMin, int electionTicksMax, int heartbeatTicks,
      int maxEntriesPerAppend, long maxBytesPerAppend, int maxInflightAppends,
      long maxInflightBytes, boolean preVote, boolean checkQuorum, long promoteWithinEntries,
      long catchUpTicks, long tickNanos) {
    this(electionTicksMin, electionTicksMax, heartbeatTicks, maxEntriesPerAppend,
        maxBytesPerAppend, maxInflightAppends, maxInflightBytes, preVote, checkQuorum,
        promoteWithinEntries, catchUpTicks, tickNanos, maxInflightBytes);
  }

  /** Settings with a 10 ms tick. */
  public CoreConfig(int electionTicksMin, int electionTicksMax, int heartbeatTicks,
      int maxEntriesPerAppend, long maxBytesPerAppend, int maxInflightAppends,
      long maxInflightBytes, boolean preVote, boolean checkQuorum, long promoteWithinEntries,
      long catchUpTicks) {
    this(electionTicksMin, electionTicksMax, heartbeatTicks, maxEntriesPerAppend,
        maxBytesPerAppend, maxInflightAppends, maxInflightBytes, preVote, checkQuorum,
        promoteWithinEntries, catchUpTicks, 10_000_000L);
  }

  /** Settings with the default learner catch-up rule (within 1,000 entries, 6,000 ticks). */
  public CoreConfig(int electionTicksMin, int electionTicksMax, int heartbeatTicks,
      int maxEntriesPerAppend, long maxBytesPerAppend, int maxInflightAppends,
      long maxInflightBytes, boolean preVote, boolean checkQuorum) {
    this(electionTicksMin, electionTicksMax, heartbeatTicks, maxEntriesPerAppend,
        maxBytesPerAppend, maxInflightAppends, maxInflightBytes, preVote, checkQuorum, 1_000, 6_000);
  }

  /**
   * The most bytes of committed entries handed to the state machine and not yet applied: a node
   * far behind (after a restart without snapshots) reads its log back in steps of this size
   * rather than all at once. A single larger entry is still handed over on its own.
   */
  public long maxApplyBytes() {
    return maxInflightBytes;
  }

  /** The minimum election timeout in nanoseconds. */
  public long electionTimeoutMinNanos() {
    return electionTicksMin * tickNanos;
  }

  /**
   * How long a leader's lease lasts after a round of heartbeats that a majority answered, measured
   * from when the round started: the minimum election timeout less the most that clock drift can
   * take off it. Followers that answered refuse to vote for a minimum election timeout measured on
   * their own clocks from when they heard the round, which is no earlier than its start; so as long
   * as clocks drift by at most {@link #MAX_CLOCK_DRIFT}, no other leader can be elected before the
   * lease ends.
   */
  public long leaseNanos() {
    return (long) (electionTimeoutMinNanos() * (1 - MAX_CLOCK_DRIFT));
  }

  /** Defaults for a 10 ms tick: elections after 150-300 ms, heartbeats every 50 ms. */
  public static CoreConfig defaults() {
    return new CoreConfig(15, 30, 5, 1024, 1 << 20, 32, 16L << 20, true, true);
  }
}
