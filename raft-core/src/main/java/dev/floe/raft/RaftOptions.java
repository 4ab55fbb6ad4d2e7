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

import dev.floe.raft.internal.core.CoreConfig;

/**
 * A node's tunables, each with a documented default; times in milliseconds, sizes in bytes. Build
 * them with {@link #builder()} (or start from {@link #defaults()} and change one with a {@code
 * with} method); every value is checked when built, and a mistake is named in the units given.
 */
public final class RaftOptions {
  /** The default {@link #maxCommandBytes()}: 16 MiB. */
  public static final int DEFAULT_MAX_COMMAND_BYTES = 16 * 1024 * 1024;

  private final long tickMillis;
  private final long electionTimeoutMinMillis;
  private final long electionTimeoutMaxMillis;
  private final long heartbeatIntervalMillis;
  private final long requestTimeoutMillis;
  private final int maxEntriesPerAppend;
  private final long maxBytesPerAppend;
  private final int maxInflightAppends;
  private final int maxPendingRequests;
  private final long logCacheBytes;
  private final int maxCommandBytes;
  private final boolean preVote;
  private final boolean checkQuorum;
  private final long learnerCatchUpEntries;
  private final long learnerCatchUpTimeoutMillis;

  private RaftOptions(Builder b) {
    this.tickMillis = b.tickMillis;
    this.electionTimeoutMinMillis = b.electionTimeoutMinMillis;
    this.electionTimeoutMaxMillis = b.electionTimeoutMaxMillis;
    this.heartbeatIntervalMillis = b.heartbeatIntervalMillis;
    this.requestTimeoutMillis = b.requestTimeoutMillis;
    this.maxEntriesPerAppend = b.maxEntriesPerAppend;
    this.maxBytesPerAppend = b.maxBytesPerAppend;
    this.maxInflightAppends = b.maxInflightAppends;
    this.maxPendingRequests = b.maxPendingRequests;
    this.logCacheBytes = b.logCacheBytes;
    this.maxCommandBytes = b.maxCommandBytes;
    this.preVote = b.preVote;
    this.checkQuorum = b.checkQuorum;
    this.learnerCatchUpEntries = b.learnerCatchUpEntries;
    this.learnerCatchUpTimeoutMillis = b.learnerCatchUpTimeoutMillis;
  }

  /** {@return a builder with every default} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@return the defaults: elections after 500 to 1,000 ms, heartbeats every 50 ms, a 10 ms tick}
   * Ten heartbeats and more, so that a GC pause or a busy machine does not depose a leader.
   */
  public static RaftOptions defaults() {
    return builder().build();
  }

  /** {@return a builder holding these options} */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** {@return the resolution of the node's timers (default 10)} */
  public long tickMillis() {
    return tickMillis;
  }

  /** {@return the shortest time a follower waits for a leader before campaigning (default 500)} */
  public long electionTimeoutMinMillis() {
    return electionTimeoutMinMillis;
  }

  /** {@return the longest such wait; each wait is drawn at random in between (default 1,000)} */
  public long electionTimeoutMaxMillis() {
    return electionTimeoutMaxMillis;
  }

  /** {@return how often a leader sends heartbeats (default 50)} */
  public long heartbeatIntervalMillis() {
    return heartbeatIntervalMillis;
  }

  /** {@return how long a submit, query or transfer waits for its outcome (default 5,000)} */
  public long requestTimeoutMillis() {
    return requestTimeoutMillis;
  }

  /** {@return the most entries in one AppendEntries message (default 1,024)} */
  public int maxEntriesPerAppend() {
    return maxEntriesPerAppend;
  }

  /** {@return about the most entry bytes per AppendEntries (1 MiB; a larger entry goes alone)} */
  public long maxBytesPerAppend() {
    return maxBytesPerAppend;
  }

  /** {@return the most AppendEntries in flight to one follower (default 32)} */
  public int maxInflightAppends() {
    return maxInflightAppends;
  }

  /**
   * {@return the most bytes of applied entries the node keeps in memory for followers that have
   * not acknowledged them (default 4 MiB)} A leader keeps an applied entry only while a follower
   * lacks it, and then only the last this many bytes of them; other nodes keep none. Every other
   * applied entry stays in the log store only, and is read back from it for a follower that lags
   * further (or for the state machine, after a restart): the node's heap holds a bounded tail of
   * the log however large the log grows, and entries leave it young, which keeps collection
   * pauses short.
   */
  public long logCacheBytes() {
    return logCacheBytes;
  }

  /** {@return the most submits and reads waiting for their outcome on this node (10,000)} */
  public int maxPendingRequests() {
    return maxPendingRequests;
  }

  /**
   * {@return the largest command {@code submit} takes (default 16 MiB)} A larger one fails at once
   * with {@link CommandTooLargeException}. The transport must carry a message of this size (the
   * Netty transport checks its maximum frame against it at start).
   */
  public int maxCommandBytes() {
    return maxCommandBytes;
  }

  /** {@return whether to run a pre-vote before an election (thesis §9.6; default true)} */
  public boolean preVote() {
    return preVote;
  }

  /** {@return whether a leader steps down when cut off from a majority (§6.2; default true)} */
  public boolean checkQuorum() {
    return checkQuorum;
  }

  /** {@return how many entries of the leader's a learner must be within to be promoted (1,000)} */
  public long learnerCatchUpEntries() {
    return learnerCatchUpEntries;
  }

  /** {@return how long a promotion waits for its learner to catch up before refusing (60,000)} */
  public long learnerCatchUpTimeoutMillis() {
    return learnerCatchUpTimeoutMillis;
  }

  /**
   * {@return a copy with other election timeouts}
   *
   * @param minMillis the shortest election timeout, in milliseconds
   * @param maxMillis the longest, in milliseconds
   */
  public RaftOptions withElectionTimeout(long minMillis, long maxMillis) {
    return toBuilder().electionTimeout(minMillis, maxMillis).build();
  }

  /**
   * {@return a copy with another heartbeat interval}
   *
   * @param millis the interval, in milliseconds
   */
  public RaftOptions withHeartbeatInterval(long millis) {
    return toBuilder().heartbeatInterval(millis).build();
  }

  CoreConfig toCoreConfig() {
    return new CoreConfig((int) (electionTimeoutMinMillis / tickMillis),
        (int) (electionTimeoutMaxMillis / tickMillis), (int) (heartbeatIntervalMillis / tickMillis),
        maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends,
        maxBytesPerAppend * maxInflightAppends, preVote, checkQuorum, learnerCatchUpEntries,
        learnerCatchUpTimeoutMillis / tickMillis, tickMillis * 1_000_000L, logCacheBytes);
  }

  @Override
  public String toString() {
    return "RaftOptions[tick=" + tickMillis + "ms election=" + electionTimeoutMinMillis + "-"
        + electionTimeoutMaxMillis + "ms heartbeat=" + heartbeatIntervalMillis + "ms request="
        + requestTimeoutMillis + "ms maxEntriesPerAppend=" + maxEntriesPerAppend
        + " maxBytesPerAppend=" + maxBytesPerAppend + " maxInflightAppends=" + maxInflightAppends
        + " maxPendingRequests=" + maxPendingRequests + " logCacheBytes=" + logCacheBytes
        + " maxCommandBytes=" + maxCommandBytes + " preVote=" + preVote + " checkQuorum="
        + checkQuorum + " learnerCatchUp="
        + learnerCatchUpEntries + "/" + learnerCatchUpTimeoutMillis + "ms]";
  }

  /** Builds {@link RaftOptions}; every setter's default is in the accessor's documentation. */
  public static final class Builder {
    private long tickMillis = 10;
    private long electionTimeoutMinMillis = 500;
    private long electionTimeoutMaxMillis = 1_000;
    private long heartbeatIntervalMillis = 50;
    private long requestTimeoutMillis = 5_000;
    private int maxEntriesPerAppend = 1024;
    private long maxBytesPerAppend = 1 << 20;
    private int maxInflightAppends = 32;
    private int maxPendingRequests = 10_000;
    private long logCacheBytes = 4L << 20;
    private int maxCommandBytes = DEFAULT_MAX_COMMAND_BYTES;
    private boolean preVote = true;
    private boolean checkQuorum = true;
    private long learnerCatchUpEntries = 1_000;
    private long learnerCatchUpTimeoutMillis = 60_000;

    private Builder() {}

    private Builder(RaftOptions o) {
      tickMillis = o.tickMillis;
      electionTimeoutMinMillis = o.electionTimeoutMinMillis;
      electionTimeoutMaxMillis = o.electionTimeoutMaxMillis;
      heartbeatIntervalMillis = o.heartbeatIntervalMillis;
      requestTimeoutMillis = o.requestTimeoutMillis;
      maxEntriesPerAppend = o.maxEntriesPerAppend;
      maxBytesPerAppend = o.maxBytesPerAppend;
      maxInflightAppends = o.maxInflightAppends;
      maxPendingRequests = o.maxPendingRequests;
      logCacheBytes = o.logCacheBytes;
      maxCommandBytes = o.maxCommandBytes;
      preVote = o.preVote;
      checkQuorum = o.checkQuorum;
      learnerCatchUpEntries = o.learnerCatchUpEntries;
      learnerCatchUpTimeoutMillis = o.learnerCatchUpTimeoutMillis;
    }

    /**
     * {@return this builder, with the resolution of the node's timers}
     *
     * @param millis the tick, in milliseconds
     */
    public Builder tick(long millis) {
      this.tickMillis = millis;
      return this;
    }

    /**
     * {@return this builder, with the range each election timeout is drawn from}
     *
     * @param minMillis the shortest election timeout, in milliseconds
     * @param maxMillis the longest, in milliseconds
     */
    public Builder electionTimeout(long minMillis, long maxMillis) {
      this.electionTimeoutMinMillis = minMillis;
      this.electionTimeoutMaxMillis = maxMillis;
      return this;
    }

    /**
     * {@return this builder, with how often a leader sends heartbeats}
     *
     * @param millis the interval, in milliseconds; well below the election timeout
     */
    public Builder heartbeatInterval(long millis) {
      this.heartbeatIntervalMillis = millis;
      return this;
    }

    /**
     * {@return this builder, with how long a submit, query or transfer waits for its outcome}
     *
     * @param millis the timeout, in milliseconds
     */
    public Builder requestTimeout(long millis) {
      this.requestTimeoutMillis = millis;
      return this;
    }

    /**
     * {@return this builder, with the most entries and about the most bytes in one AppendEntries}
     *
     * @param entries the most entries in one message
     * @param bytes about the most entry bytes in one message (a single larger entry travels alone)
     */
    public Builder maxPerAppend(int entries, long bytes) {
      this.maxEntriesPerAppend = entries;
      this.maxBytesPerAppend = bytes;
      return this;
    }

    /**
     * {@return this builder, with the most AppendEntries in flight to one follower}
     *
     * @param max the window, in messages
     */
    public Builder maxInflightAppends(int max) {
      this.maxInflightAppends = max;
      return this;
    }

    /**
     * {@return this builder, with the most requests waiting for their outcome on the node}
     *
     * @param max the limit; beyond it, a submit fails at once with {@link OverloadedException}
     */
    public Builder maxPendingRequests(int max) {
      this.maxPendingRequests = max;
      return this;
    }

    /**
     * {@return this builder, with the most bytes of applied entries kept in memory}
     *
     * @param bytes the budget, in bytes; 0 keeps no applied entry in memory
     */
    public Builder logCacheBytes(long bytes) {
      this.logCacheBytes = bytes;
      return this;
    }

    /**
     * {@return this builder, with the largest command {@code submit} takes}
     *
     * @param bytes the limit, in bytes
     */
    public Builder maxCommandBytes(int bytes) {
      this.maxCommandBytes = bytes;
      return this;
    }

    /**
     * {@return this builder, with a pre-vote before each election or none}
     *
     * @param on whether to pre-vote
     */
    public Builder preVote(boolean on) {
      this.preVote = on;
      return this;
    }

    /**
     * {@return this builder; with check-quorum, a leader steps down when cut off from a majority}
     *
     * @param on whether to check the quorum
     */
    public Builder checkQuorum(boolean on) {
      this.checkQuorum = on;
      return this;
    }

    /**
     * {@return this builder, with the rule for promoting learners}
     *
     * @param withinEntries how close to the leader's log a learner must come to be promoted
     * @param timeoutMillis how long a promotion waits for that, in milliseconds
     */
    public Builder learnerCatchUp(long withinEntries, long timeoutMillis) {
      this.learnerCatchUpEntries = withinEntries;
      this.learnerCatchUpTimeoutMillis = timeoutMillis;
      return this;
    }

    /**
     * {@return the options, every value checked}
     *
     * @throws IllegalArgumentException naming the first invalid value, in the units it was given
     */
    public RaftOptions build() {
      positive("tickMillis", tickMillis, "ms");
      positive("requestTimeoutMillis", requestTimeoutMillis, "ms");
      positive("maxEntriesPerAppend", maxEntriesPerAppend, "");
      positive("maxBytesPerAppend", maxBytesPerAppend, " bytes");
      positive("maxInflightAppends", maxInflightAppends, "");
      positive("maxPendingRequests", maxPendingRequests, "");
      positive("maxCommandBytes", maxCommandBytes, " bytes");
      if (logCacheBytes < 0) {
        throw new IllegalArgumentException("logCacheBytes must be >= 0 bytes: " + logCacheBytes);
      }
      positive("learnerCatchUpTimeoutMillis", learnerCatchUpTimeoutMillis, "ms");
      if (learnerCatchUpEntries < 0) {
        throw new IllegalArgumentException(
            "learnerCatchUpEntries must be >= 0: " + learnerCatchUpEntries);
      }
      atLeastATick("heartbeatIntervalMillis", heartbeatIntervalMillis);
      atLeastATick("electionTimeoutMinMillis", electionTimeoutMinMillis);
      atLeastATick("learnerCatchUpTimeoutMillis", learnerCatchUpTimeoutMillis);
      if (electionTimeoutMinMillis / tickMillis <= heartbeatIntervalMillis / tickMillis) {
        throw new IllegalArgumentException("electionTimeoutMinMillis (" + electionTimeoutMinMillis
            + " ms) must be longer than heartbeatIntervalMillis (" + heartbeatIntervalMillis
            + " ms) by at least a tick (" + tickMillis + " ms)");
      }
      if (electionTimeoutMaxMillis / tickMillis <= electionTimeoutMinMillis / tickMillis) {
        throw new IllegalArgumentException("electionTimeoutMaxMillis (" + electionTimeoutMaxMillis
            + " ms) must be longer than electionTimeoutMinMillis (" + electionTimeoutMinMillis
            + " ms) by at least a tick (" + tickMillis + " ms), so that timeouts differ");
      }
      RaftOptions built = new RaftOptions(this);
      built.toCoreConfig(); // the core's own checks, which the ones above make pass
      return built;
    }

    private static void positive(String name, long value, String unit) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1" + unit + ": " + value);
      }
    }

    private void atLeastATick(String name, long millis) {
      if (millis < tickMillis) {
        throw new IllegalArgumentException(
            name + " (" + millis + " ms) must be at least tickMillis (" + tickMillis + " ms)");
      }
    }
  }
}
