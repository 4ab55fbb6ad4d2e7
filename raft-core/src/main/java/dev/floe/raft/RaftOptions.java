package dev.floe.raft;

import dev.floe.raft.core.CoreConfig;

/**
 * A node's tunables. Start from {@link #defaults()} and change what you need with the {@code with}
 * methods; every value is checked when the node is built.
 *
 * @param tickMillis the resolution of the node's timers
 * @param electionTimeoutMinMillis the shortest time a follower waits for a leader before campaigning
 * @param electionTimeoutMaxMillis the longest such wait; each wait is drawn at random in between
 * @param heartbeatIntervalMillis how often a leader sends heartbeats; well below the election timeout
 * @param requestTimeoutMillis how long a submit, query or transfer waits for its outcome
 * @param maxEntriesPerAppend the most entries in one AppendEntries message
 * @param maxBytesPerAppend about the most entry bytes in one AppendEntries message
 * @param maxInflightAppends the most AppendEntries in flight to one follower
 * @param maxPendingRequests the most submits waiting for their outcome; beyond it {@code submit}
 *     fails at once with {@link OverloadedException}
 * @param preVote whether to run a pre-vote before an election (thesis §9.6)
 * @param checkQuorum whether a leader steps down when cut off from a majority (thesis §6.2)
 * @param learnerCatchUpEntries a learner is promoted to voter only once its log is within this
 *     many entries of the leader's
 * @param learnerCatchUpTimeoutMillis how long a promotion waits for the learner to catch up
 *     before it is refused (the learner then stays a learner)
 */
public record RaftOptions(
    long tickMillis,
    long electionTimeoutMinMillis,
    long electionTimeoutMaxMillis,
    long heartbeatIntervalMillis,
    long requestTimeoutMillis,
    int maxEntriesPerAppend,
    long maxBytesPerAppend,
    int maxInflightAppends,
    int maxPendingRequests,
    boolean preVote,
    boolean checkQuorum,
    long learnerCatchUpEntries,
    long learnerCatchUpTimeoutMillis) {

  /** Checks every value. */
  public RaftOptions {
    if (tickMillis < 1) {
      throw new IllegalArgumentException("tickMillis must be >= 1: " + tickMillis);
    }
    if (requestTimeoutMillis < 1) {
      throw new IllegalArgumentException("requestTimeoutMillis must be >= 1: " + requestTimeoutMillis);
    }
    if (maxPendingRequests < 1) {
      throw new IllegalArgumentException("maxPendingRequests must be >= 1: " + maxPendingRequests);
    }
    toCoreConfig(
        tickMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis, heartbeatIntervalMillis,
        maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends, preVote, checkQuorum,
        learnerCatchUpEntries, learnerCatchUpTimeoutMillis);
  }

  /** Elections after 150 to 300 ms, heartbeats every 50 ms, a 10 ms tick. */
  public static RaftOptions defaults() {
    return new RaftOptions(10, 150, 300, 50, 5_000, 1024, 1 << 20, 32, 10_000, true, true, 1_000,
        60_000);
  }

  /** Returns a copy with other election timeouts. */
  public RaftOptions withElectionTimeout(long minMillis, long maxMillis) {
    return new RaftOptions(tickMillis, minMillis, maxMillis, heartbeatIntervalMillis,
        requestTimeoutMillis, maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends,
        maxPendingRequests, preVote, checkQuorum, learnerCatchUpEntries,
        learnerCatchUpTimeoutMillis);
  }

  /** Returns a copy with another heartbeat interval. */
  public RaftOptions withHeartbeatInterval(long millis) {
    return new RaftOptions(tickMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis, millis,
        requestTimeoutMillis, maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends,
        maxPendingRequests, preVote, checkQuorum, learnerCatchUpEntries,
        learnerCatchUpTimeoutMillis);
  }

  /** Returns a copy with another request timeout. */
  public RaftOptions withRequestTimeout(long millis) {
    return new RaftOptions(tickMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis,
        heartbeatIntervalMillis, millis, maxEntriesPerAppend, maxBytesPerAppend,
        maxInflightAppends, maxPendingRequests, preVote, checkQuorum, learnerCatchUpEntries,
        learnerCatchUpTimeoutMillis);
  }

  /** Returns a copy with another limit on waiting submits. */
  public RaftOptions withMaxPendingRequests(int max) {
    return new RaftOptions(tickMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis,
        heartbeatIntervalMillis, requestTimeoutMillis, maxEntriesPerAppend, maxBytesPerAppend,
        maxInflightAppends, max, preVote, checkQuorum, learnerCatchUpEntries,
        learnerCatchUpTimeoutMillis);
  }

  /** Returns a copy with pre-vote and check-quorum switched on or off. */
  public RaftOptions withPreVoteAndCheckQuorum(boolean preVote, boolean checkQuorum) {
    return new RaftOptions(tickMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis,
        heartbeatIntervalMillis, requestTimeoutMillis, maxEntriesPerAppend, maxBytesPerAppend,
        maxInflightAppends, maxPendingRequests, preVote, checkQuorum, learnerCatchUpEntries,
        learnerCatchUpTimeoutMillis);
  }

  /** Returns a copy with another rule for promoting learners. */
  public RaftOptions withLearnerCatchUp(long withinEntries, long timeoutMillis) {
    return new RaftOptions(tickMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis,
        heartbeatIntervalMillis, requestTimeoutMillis, maxEntriesPerAppend, maxBytesPerAppend,
        maxInflightAppends, maxPendingRequests, preVote, checkQuorum, withinEntries, timeoutMillis);
  }

  CoreConfig toCoreConfig() {
    return toCoreConfig(
        tickMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis, heartbeatIntervalMillis,
        maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends, preVote, checkQuorum,
        learnerCatchUpEntries, learnerCatchUpTimeoutMillis);
  }

  private static CoreConfig toCoreConfig(
      long tick, long electionMin, long electionMax, long heartbeat, int maxEntries, long maxBytes,
      int maxInflight, boolean preVote, boolean checkQuorum, long catchUpEntries,
      long catchUpMillis) {
    int min = ticks("electionTimeoutMinMillis", electionMin, tick);
    int max = ticks("electionTimeoutMaxMillis", electionMax, tick);
    int hb = ticks("heartbeatIntervalMillis", heartbeat, tick);
    return new CoreConfig(
        min, max, hb, maxEntries, maxBytes, maxInflight, maxBytes * maxInflight, preVote,
        checkQuorum, catchUpEntries, ticks("learnerCatchUpTimeoutMillis", catchUpMillis, tick),
        java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(tick));
  }

  private static int ticks(String name, long millis, long tick) {
    if (millis < tick) {
      throw new IllegalArgumentException(name + " (" + millis + ") must be at least tickMillis (" + tick + ")");
    }
    return (int) (millis / tick);
  }
}
