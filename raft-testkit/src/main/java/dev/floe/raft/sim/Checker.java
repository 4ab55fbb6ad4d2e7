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
package dev.floe.raft.sim;

import dev.floe.raft.RaftStatus;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safety properties of Raft, checked while a simulation runs:
 *
 * <ul>
 *   <li>election safety: at most one leader per term;
 *   <li>state machine safety: every node applies the same command at each index (and, the state
 *       machine being deterministic, gets the same result);
 *   <li>log matching: two logs with the same term at an index hold the same entries up to it;
 *   <li>leader completeness: a leader's log holds every entry committed in an earlier term (an
 *       entry applied anywhere counts as committed by the highest term that had a leader by then;
 *       a leader of an older term, such as one that won a late election after a pause, may lack
 *       it);
 *   <li>acknowledged submits: each is applied at the index it was acknowledged with, one submit
 *       per index, and no command is applied more often than it was submitted (commands need not
 *       be distinct: a submit is told apart from another by its session, or by its call);
 *   <li>each node's commit index never decreases within one incarnation.
 * </ul>
 *
 * It also collects what the state machine under test did wrong: the exceptions it threw (the first
 * with its stack trace) and snapshots that did not restore to the state they were taken from.
 */
final class Checker {
  /**
   * An entry as first applied: its command and result (null if the state machine threw), and the
   * highest term that had a leader by then, which bounds the term of the leader that committed it.
   */
  record Applied(byte[] command, byte[] result, long committedBy) {}

  private final List<String> violations = new ArrayList<>();
  /** Virtual time in microseconds, to say when each violation was seen. */
  private final java.util.function.LongSupplier nowMicros;
  private final TreeMap<Long, NodeId> leaders = new TreeMap<>();
  private final HashMap<Long, Applied> applied = new HashMap<>();
  private long highestApplied;
  /** Acknowledged submits (a session request, or an object per call), with their index. */
  private final HashMap<Object, Long> acknowledged = new HashMap<>();
  /** The submit acknowledged at each index. */
  private final HashMap<Long, Object> acknowledgedAt = new HashMap<>();
  /** The submits of each command, by content. */
  private final HashMap<ContentKey, java.util.Set<Object>> submitted = new HashMap<>();
  private long stateMachineFailures;
  private String firstStateMachineFailure;
  private final Map<NodeId, Long> lastCommit = new TreeMap<>();
  private final Map<NodeId, Long> leaderChecked = new TreeMap<>();

  Checker(java.util.function.LongSupplier nowMicros) {
    this.nowMicros = nowMicros;
  }

  void violation(String what) {
    if (violations.size() < 20) {
      violations.add("at " + nowMicros.getAsLong() / 1000 + " ms: " + what);
    }
  }

  List<String> violations() {
    return List.copyOf(violations);
  }

  long acknowledgedCount() {
    return acknowledged.size();
  }

  long highestApplied() {
    return highestApplied;
  }

  void onApply(NodeId node, long index, byte[] command, byte[] result) {
    Applied mine = new Applied(command, result, leaders.isEmpty() ? 0 : leaders.lastKey());
    Applied first = applied.putIfAbsent(index, mine);
    highestApplied = Math.max(highestApplied, index);
    if (first == null) {
      return;
    }
    if (!sameBytes(first.command, command)) {
      violation("state machine safety: " + node + " applied a different command at index " + index);
    } else if (!Arrays.equals(first.result, result)) {
      violation("determinism: " + node + " got a different result at index " + index);
    }
  }

  /**
   * A command was submitted; {@code submit} tells this submit apart from others of the same bytes
   * (its session request, retried with the same sequence, is one submit however often it is sent).
   */
  void onSubmitted(byte[] command, Object submit) {
    submitted.computeIfAbsent(new ContentKey(command), k -> new java.util.HashSet<>())
        .add(submit);
  }

  void onAcknowledged(byte[] command, Object submit, long index) {
    Applied a = applied.get(index);
    if (a == null || !sameBytes(a.command, command)) {
      violation("acknowledged command at index " + index + " is not the one applied there");
    }
    Long before = acknowledged.put(submit, index);
    if (before != null && before != index) {
      violation("a command was acknowledged at two indexes, " + before + " and " + index);
    }
    Object other = acknowledgedAt.putIfAbsent(index, submit);
    if (other != null && !other.equals(submit)) {
      violation("two submits were acknowledged at index " + index);
    }
  }

  /** The state machine under test threw while {@code doing} something on {@code node}. */
  void stateMachineThrew(NodeId node, String doing, Throwable error) {
    stateMachineFailures++;
    if (firstStateMachineFailure == null) {
      firstStateMachineFailure = node + ", " + doing + ": " + NodeFailures.stackTrace(error);
    }
  }

  /** How often the state machine under test threw. */
  long stateMachineFailures() {
    return stateMachineFailures;
  }

  /** The first exception the state machine under test threw, with its stack trace, or null. */
  String firstStateMachineFailure() {
    return firstStateMachineFailure;
  }

  /** Every entry applied so far, by index, as first applied. */
  java.util.NavigableMap<Long, Applied> applied() {
    return new TreeMap<>(applied);
  }

  /**
   * Whether two arrays hold the same bytes: at once if they are one array (as a command replicated
   * in the simulator is, from node to node), so that large commands cost a comparison only when
   * they are copies.
   */
  static boolean sameBytes(byte[] a, byte[] b) {
    return a == b || Arrays.equals(a, b);
  }

  void onRestart(NodeId node) {
    lastCommit.remove(node);
    leaderChecked.remove(node);
  }

  /** Checks after every event: one leader per term, commit monotonic, leader completeness. */
  void afterEvent(Iterable<SimNode> nodes) {
    for (SimNode n : nodes) {
      if (!n.isUp()) {
        continue;
      }
      RaftStatus s = n.node().status();
      Long prev = lastCommit.put(n.id, s.commitIndex());
      if (prev != null && s.commitIndex() < prev) {
        violation(n.id + " commit index went back from " + prev + " to " + s.commitIndex());
      }
      if (s.role() == Role.LEADER) {
        NodeId other = leaders.putIfAbsent(s.term(), n.id);
        if (other != null && !other.equals(n.id)) {
          violation("election safety: " + other + " and " + n.id + " both lead term " + s.term());
        }
        Long checkedTerm = leaderChecked.get(n.id);
        if (checkedTerm == null || checkedTerm != s.term()) {
          leaderChecked.put(n.id, s.term());
          checkLeaderCompleteness(n, s.term());
        }
      }
    }
  }

  private void checkLeaderCompleteness(SimNode leader, long term) {
    List<LogEntry> log = leader.logEntries();
    long first = leader.store().firstIndex();
    for (Map.Entry<Long, Applied> e : applied.entrySet()) {
      long index = e.getKey();
      int pos = (int) (index - first);
      if (pos < 0 || e.getValue().committedBy >= term) {
        continue;
      }
      if (pos >= log.size()) {
        violation("leader completeness: leader " + leader.id + " lacks applied entry " + index);
        return;
      }
      LogEntry mine = log.get(pos);
      if (!holdsCommand(mine, e.getValue().command)) {
        violation("leader completeness: leader " + leader.id + " holds another entry at " + index);
        return;
      }
    }
  }

  /** Whether the entry holds {@code command}, plain or within a session, without copying it. */
  private static boolean holdsCommand(LogEntry entry, byte[] command) {
    if (entry.type() == EntryType.COMMAND) {
      return sameBytes(entry.data(), command);
    }
    int header = EntryType.SESSION_HEADER_BYTES;
    return entry.type() == EntryType.SESSION_COMMAND && entry.data().length >= header
        && Arrays.equals(entry.data(), header, entry.data().length, command, 0, command.length);
  }

  /** Log matching over every pair of running nodes. */
  void checkLogMatching(List<SimNode> nodes) {
    for (int i = 0; i < nodes.size(); i++) {
      for (int j = i + 1; j < nodes.size(); j++) {
        SimNode a = nodes.get(i);
        SimNode b = nodes.get(j);
        if (a.isUp() && b.isUp()) {
          checkPair(a, b);
        }
      }
    }
  }

  private void checkPair(SimNode a, SimNode b) {
    List<LogEntry> la = a.logEntries();
    List<LogEntry> lb = b.logEntries();
    long fa = a.store().firstIndex();
    long fb = b.store().firstIndex();
    long from = Math.max(fa, fb);
    long to = Math.min(fa + la.size(), fb + lb.size()) - 1;
    boolean matchedAbove = false;
    for (long idx = to; idx >= from; idx--) {
      LogEntry ea = la.get((int) (idx - fa));
      LogEntry eb = lb.get((int) (idx - fb));
      if (matchedAbove && ea != eb && !ea.equals(eb)) {
        violation("log matching: " + a.id + " and " + b.id + " differ at " + idx
            + " below a common entry");
        return;
      }
      if (ea.term() == eb.term()) {
        matchedAbove = true;
        if (ea != eb && !ea.equals(eb)) {
          violation("log matching: " + a.id + " and " + b.id + " hold different entries of term "
              + ea.term() + " at " + idx);
          return;
        }
      }
    }
  }

  /**
   * At the end: every acknowledged submit is applied at its index, and no command is applied more
   * often than it was submitted.
   */
  void finalCheck() {
    for (Map.Entry<Object, Long> e : acknowledged.entrySet()) {
      if (applied.get(e.getValue()) == null) {
        violation("acknowledged command lost at index " + e.getValue());
      }
    }
    HashMap<ContentKey, long[]> applications = new HashMap<>(); // count, first index
    for (Map.Entry<Long, Applied> e : new TreeMap<>(applied).entrySet()) {
      long[] a = applications.computeIfAbsent(new ContentKey(e.getValue().command),
          k -> new long[] {0, e.getKey()});
      a[0]++;
    }
    for (Map.Entry<ContentKey, long[]> e : applications.entrySet()) {
      java.util.Set<Object> submits = submitted.get(e.getKey());
      int times = submits == null ? 0 : submits.size();
      if (submits != null && e.getValue()[0] > times) {
        violation("a command submitted " + (times == 1 ? "once" : times + " times") + " was applied "
            + e.getValue()[0] + " times (first at index " + e.getValue()[1] + ")");
      }
    }
  }
}
