package dev.floe.raft.core;

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
    long catchUpTicks) {

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
    if (promoteWithinEntries < 0 || catchUpTicks < 1) {
      throw new IllegalArgumentException("invalid learner catch-up settings: within "
          + promoteWithinEntries + " entries, " + catchUpTicks + " ticks");
    }
  }

  /** Settings with the default learner catch-up rule (within 1,000 entries, 6,000 ticks). */
  public CoreConfig(int electionTicksMin, int electionTicksMax, int heartbeatTicks,
      int maxEntriesPerAppend, long maxBytesPerAppend, int maxInflightAppends,
      long maxInflightBytes, boolean preVote, boolean checkQuorum) {
    this(electionTicksMin, electionTicksMax, heartbeatTicks, maxEntriesPerAppend,
        maxBytesPerAppend, maxInflightAppends, maxInflightBytes, preVote, checkQuorum, 1_000, 6_000);
  }

  /** Defaults for a 10 ms tick: elections after 150-300 ms, heartbeats every 50 ms. */
  public static CoreConfig defaults() {
    return new CoreConfig(15, 30, 5, 1024, 1 << 20, 32, 16L << 20, true, true);
  }
}
