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

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.AppendResponse;
import dev.floe.raft.message.InstallSnapshotResponse;
import dev.floe.raft.message.LogEntries;
import dev.floe.raft.message.LogEntry;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * A leader's replication for one term (Raft §5.3): each member's {@link Progress}, AppendEntries
 * and heartbeats, fast backtracking after a rejection, and falling back to a snapshot for a
 * follower behind the log's base. Every request carries its heartbeat round ({@link Rounds}).
 */
final class Replication {
  /** Heartbeat intervals a snapshot transfer may go unanswered before it is started over. */
  private static final int SNAPSHOT_SILENT_HEARTBEATS = 20;
  /**
   * The most entry bytes a probe carries: a probe looks for the point where the logs match, and
   * may be answered with a rejection, so it must not resend a large entry every heartbeat.
   */
  static final long PROBE_MAX_BYTES = 64 * 1024;
  /**
   * How many entry bytes in flight one heartbeat interval without progress stands for: a pipeline
   * counts as stalled (a request lost) only after one interval per this many bytes in flight, so
   * that a follower forcing large entries to a slow disk is not probed again, and sent them again,
   * while it is merely busy.
   */
  static final long STALL_BYTES_PER_HEARTBEAT = 1 << 20;

  private final RaftState s;
  private final Snapshots snapshots;
  private final long term;
  /** The voters of the configuration in effect, kept in step by {@link #syncMembers}. */
  private SortedSet<NodeId> voters;
  /** Every member's progress, and this node's own (even when it is not a member). */
  private final TreeMap<NodeId, Progress> progress = new TreeMap<>();
  private final Rounds rounds;
  /** Entries were appended since the last {@link #flush}. */
  private boolean appended;

  Replication(RaftState s, Snapshots snapshots) {
    this.s = s;
    this.snapshots = snapshots;
    this.term = s.term;
    progress.put(s.self, new Progress(s.log.lastIndex() + 1, 0));
    this.rounds = new Rounds(s, progress);
  }

  // ---------------------------------------------------------------- members

  /**
   * Follows the configuration in effect: a new member gets a fresh replication session, a departed
   * one loses its progress. A session starts with a new round, so that every request of the new
   * session carries a round later than any request of an earlier session to the same node.
   */
  void syncMembers() {
    Configuration c = s.configuration();
    voters = c.voters();
    boolean added = false;
    for (NodeId id : c.members()) {
      if (!progress.containsKey(id)) {
        progress.put(id, new Progress(s.log.lastIndex() + 1, rounds.current() + 1));
        added = true;
      }
    }
    progress.keySet().removeIf(id -> !id.equals(s.self) && !c.contains(id));
    if (added) {
      newRound();
    }
  }

  SortedSet<NodeId> voters() {
    return voters;
  }

  Progress progress(NodeId id) {
    return progress.get(id);
  }

  Map<NodeId, Long> matchIndexes() {
    TreeMap<NodeId, Long> out = new TreeMap<>();
    progress.forEach((id, p) -> out.put(id, p.match));
    return out;
  }

  /** Each follower's time since its last answer (0 if it has not answered yet this term). */
  Map<NodeId, Long> silenceNanos() {
    TreeMap<NodeId, Long> out = new TreeMap<>();
    long now = s.now();
    progress.forEach((id, p) -> {
      if (!id.equals(s.self)) {
        out.put(id, p.lastAnswerNanos == 0 ? 0 : now - p.lastAnswerNanos);
      }
    });
    return out;
  }

  /** The voter, other than this node, with the highest match index. */
  NodeId mostUpToDateFollower() {
    NodeId best = null;
    long bestMatch = -1;
    for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
      if (!e.getKey().equals(s.self) && voters.contains(e.getKey()) && e.getValue().match > bestMatch) {
        best = e.getKey();
        bestMatch = e.getValue().match;
      }
    }
    return best;
  }

  /** The most up-to-date follower if it answered since the last check-quorum period, else null. */
  NodeId liveSuccessor() {
    NodeId best = mostUpToDateFollower();
    return best != null && progress.get(best).recentActive ? best : null;
  }

  /** The highest index a majority of the voters holds durably. */
  long quorumMatch() {
    long[] matches = new long[voters.size()];
    int i = 0;
    for (NodeId v : voters) {
      matches[i++] = progress.get(v).match;
    }
    return Quorum.committedIndex(matches);
  }

  // ---------------------------------------------------------------- rounds

  /** Starts a heartbeat round (see {@link Rounds}). */
  long newRound() {
    return rounds.next(voters);
  }

  long confirmedRound() {
    return rounds.confirmed(voters);
  }

  Long confirmedRoundStartNanos() {
    return rounds.confirmedStartNanos(voters);
  }

  // ---------------------------------------------------------------- sending

  void markAppended() {
    appended = true;
  }

  /** Sends what each follower lacks, as far as its window allows. */
  void broadcastAppend() {
    progress.forEach((id, p) -> {
      if (!id.equals(s.self)) {
        sendAppends(id, p);
      }
    });
  }

  void sendAppends(NodeId to) {
    sendAppends(to, progress.get(to));
  }

  private void sendAppends(NodeId to, Progress p) {
    if (p.state == Progress.State.SNAPSHOT) {
      return;
    }
    if (p.state == Progress.State.PROBE) {
      sendAppend(to, p, true);
      return;
    }
    while (sendAppend(to, p, false)) {
      // fill the pipeline window
    }
  }

  /** Sends one AppendEntries from {@code p.next}; returns whether it carried entries. */
  private boolean sendAppend(NodeId to, Progress p, boolean allowEmpty) {
    if (p.state == Progress.State.SNAPSHOT) {
      return false;
    }
    if (p.state == Progress.State.PROBE ? p.probeSent
        : p.inflightFull(s.config.maxInflightAppends(), s.config.maxInflightBytes())) {
      return false;
    }
    long prev = p.next - 1;
    long prevTerm = s.log.term(prev);
    if (prevTerm < 0) {
      startSnapshot(to, p); // the entries it needs are compacted away
      return false;
    }
    List<LogEntry> entries;
    if (p.state == Progress.State.PROBE) {
      entries = s.log.slice(p.next, s.config.maxEntriesPerAppend(), PROBE_MAX_BYTES);
      if (!entries.isEmpty() && entries.get(0).sizeInBytes() > PROBE_MAX_BYTES) {
        entries = LogEntries.of(); // a large entry waits until the probe found the match point
      }
    } else {
      entries = s.log.slice(p.next, s.config.maxEntriesPerAppend(), s.config.maxBytesPerAppend());
    }
    if (entries.isEmpty() && !allowEmpty) {
      return false;
    }
    send(to, p, prev, prevTerm, entries);
    if (p.state == Progress.State.PROBE) {
      p.probeSent = true;
    } else if (!entries.isEmpty()) {
      long last = entries.get(entries.size() - 1).index();
      long bytes = 0;
      for (LogEntry e : entries) {
        bytes += e.sizeInBytes();
      }
      p.next = last + 1;
      p.addInflight(last, bytes);
    }
    return !entries.isEmpty();
  }

  private void startSnapshot(NodeId to, Progress p) {
    if (snapshots.latestIndex() == 0) {
      throw new IllegalStateException("the log is compacted but there is no snapshot for " + to);
    }
    p.becomeSnapshot();
    s.out.streamSnapshot(to, p.sessionRound);
  }

  /** An empty AppendEntries at the follower's match point: carries commit and round, never rejected. */
  private void sendHeartbeat(NodeId to, Progress p) {
    long prevTerm = s.log.term(p.match);
    if (prevTerm < 0) {
      return;
    }
    send(to, p, p.match, prevTerm, LogEntries.of());
  }

  private void send(NodeId to, Progress p, long prev, long prevTerm, List<LogEntry> entries) {
    long commit = s.commitIndex;
    s.out.send(new AppendRequest(s.self, to, term, prev, prevTerm, entries, commit, rounds.current()));
    p.lastSentRound = rounds.current();
    // What the follower can adopt from this request: min(leaderCommit, last index it confirms).
    p.lastSentCommit = Math.min(commit, prev + entries.size());
  }

  /**
   * At the end of a step: new entries go out, and every follower that has not seen the current
   * round or the commit index it may adopt gets a heartbeat (or a probe).
   */
  void flush() {
    if (appended) {
      appended = false;
      broadcastAppend();
    }
    long commit = s.commitIndex;
    progress.forEach((id, p) -> {
      if (id.equals(s.self)) {
        return;
      }
      // A heartbeat goes at match, so it can carry the commit index only up to match.
      if (p.lastSentRound < rounds.current() || p.lastSentCommit < Math.min(commit, p.match)) {
        if (p.state == Progress.State.PROBE) {
          sendAppend(id, p, true);
        }
        sendHeartbeat(id, p);
      }
    });
  }

  /** The heartbeat timer fired: a new round goes to every follower. */
  void heartbeat() {
    newRound();
    progress.forEach((id, p) -> {
      if (id.equals(s.self)) {
        return;
      }
      if (p.state == Progress.State.SNAPSHOT) {
        // The driver streams the snapshot; if the follower stays silent, start over.
        if (++p.snapshotSilentHeartbeats > SNAPSHOT_SILENT_HEARTBEATS) {
          p.becomeProbe();
          sendAppend(id, p, true);
        }
      } else if (p.state == Progress.State.PROBE) {
        p.probeSent = false;
        sendAppend(id, p, true);
      } else if (stalled(p)) {
        // Nothing acknowledged for long enough, given what is in flight: a request was lost.
        p.becomeProbe();
        sendAppend(id, p, true);
      }
      // Every follower hears from the leader at every interval, on the control lane, whatever
      // its replication's state: its election timer and check-quorum must not wait for entries.
      sendHeartbeat(id, p);
      p.matchAtLastHeartbeat = p.match;
    });
  }

  /**
   * Whether a follower's pipeline stalled: entries in flight and match unmoved for one heartbeat
   * interval per {@link #STALL_BYTES_PER_HEARTBEAT} in flight (at least one).
   */
  private static boolean stalled(Progress p) {
    if (!p.hasInflight() || p.match != p.matchAtLastHeartbeat) {
      p.stalledHeartbeats = 0;
      return false;
    }
    long allowed = Math.max(1, (p.inflightBytes() + STALL_BYTES_PER_HEARTBEAT - 1)
        / STALL_BYTES_PER_HEARTBEAT);
    if (++p.stalledHeartbeats < allowed) {
      return false;
    }
    p.stalledHeartbeats = 0;
    return true;
  }

  /** Check-quorum: whether a majority answered since the last check; starts the next period. */
  boolean quorumActive() {
    int active = 0;
    for (NodeId v : voters) {
      Progress p = progress.get(v);
      if (v.equals(s.self) || p.recentActive) {
        active++;
      }
      p.recentActive = false;
    }
    return active >= Quorum.majority(voters.size());
  }

  // ---------------------------------------------------------------- answers

  /**
   * Takes an answer to an AppendEntries: returns the follower's progress, or {@code null} if the
   * answer is from no member or from an earlier replication session. Notes the follower active.
   */
  Progress accept(AppendResponse r) {
    Progress p = progress.get(r.from());
    if (p == null || r.round() < p.sessionRound) {
      return null; // not a member, or an answer from an earlier replication session
    }
    p.recentActive = true;
    p.lastAnswerNanos = s.now();
    return p;
  }

  /** Takes a success; returns whether the follower's match grew. */
  boolean onSuccess(Progress p, AppendResponse r) {
    boolean grew = p.acknowledge(r.matchIndex());
    if (p.state == Progress.State.PROBE && r.matchIndex() >= p.next - 1) {
      // A success at the probe's point ends the probe, even one that confirms no more than was
      // known (as after a snapshot install): staying in PROBE would answer every success with
      // another probe. A heartbeat's answer, at match below it, confirms nothing new.
      p.becomeReplicate();
    }
    if (grew) {
      p.matchRound = rounds.current();
    }
    return grew;
  }

  /** Sends the follower what it lacks after a success (nothing to itself). */
  void continueAfterSuccess(AppendResponse r) {
    if (!r.from().equals(s.self)) {
      sendAppends(r.from(), progress.get(r.from()));
    }
  }

  /** Takes a rejection: backtracks (a whole conflicting term at a time) and probes again. */
  void onRejection(Progress p, AppendResponse r) {
    if (r.rejectedIndex() <= p.match) {
      if (r.lastLogIndex() < p.match && r.round() > p.matchRound) {
        // The follower lost entries it had acknowledged (its disk was wiped). Start over with it.
        // Only an answer to a request sent after match grew shows that: an older rejection,
        // delayed or duplicated, predates the acknowledgement and must not lower match.
        p.match = 0;
        p.becomeProbe();
        p.next = r.lastLogIndex() + 1;
        sendAppends(r.from(), p);
      }
      return; // a stale rejection, for a request older than what is known to match
    }
    if (p.state == Progress.State.REPLICATE || r.rejectedIndex() == p.next - 1) {
      long next = nextFromHint(r);
      p.becomeProbe();
      p.next = Math.max(p.match + 1, Math.min(next, r.rejectedIndex()));
      sendAppends(r.from(), p);
    }
  }

  /** Fast backtracking: skip a whole conflicting term per round trip (thesis §5.3 note). */
  private long nextFromHint(AppendResponse r) {
    if (r.conflictTerm() == 0) {
      return r.conflictIndex();
    }
    long lastOfTerm = s.log.lastIndexOfTerm(r.conflictTerm());
    return lastOfTerm >= 0 ? lastOfTerm + 1 : r.conflictIndex();
  }

  /** A follower answered a snapshot chunk: once it installed the snapshot, replicate after it. */
  void onSnapshotResponse(InstallSnapshotResponse r) {
    Progress p = progress.get(r.from());
    if (p == null || r.round() < p.sessionRound) {
      return; // not a member, or an answer from an earlier replication session
    }
    p.recentActive = true;
    p.snapshotSilentHeartbeats = 0;
    if (r.done()) {
      p.acknowledge(r.snapshotIndex());
      if (p.state != Progress.State.REPLICATE) {
        p.becomeProbe();
        sendAppends(r.from(), p);
      }
    }
  }
}
