package dev.floe.raft.sim;

import dev.floe.raft.RaftStatus;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import java.nio.ByteBuffer;
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
 *   <li>acknowledged submits: each is applied at the index it was acknowledged with, exactly once;
 *   <li>each node's commit index never decreases within one incarnation.
 * </ul>
 */
final class Checker {
  /**
   * An entry as first applied: its command and result, and the highest term that had a leader by
   * then, which bounds the term of the leader that committed it.
   */
  private record Applied(byte[] command, byte[] result, long committedBy) {}

  private final List<String> violations = new ArrayList<>();
  /** Virtual time in microseconds, to say when each violation was seen. */
  private final java.util.function.LongSupplier nowMicros;
  private final TreeMap<Long, NodeId> leaders = new TreeMap<>();
  private final HashMap<Long, Applied> applied = new HashMap<>();
  private long highestApplied;
  /** Acknowledged commands by content, with the index they were acknowledged with. */
  private final HashMap<ByteBuffer, Long> acknowledged = new HashMap<>();
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
    if (!Arrays.equals(first.command, command)) {
      violation("state machine safety: " + node + " applied a different command at index " + index);
    } else if (!Arrays.equals(first.result, result)) {
      violation("determinism: " + node + " got a different result at index " + index);
    }
  }

  void onAcknowledged(byte[] command, long index) {
    Applied a = applied.get(index);
    if (a == null || !Arrays.equals(a.command, command)) {
      violation("acknowledged command at index " + index + " is not the one applied there");
    }
    Long before = acknowledged.put(ByteBuffer.wrap(command), index);
    if (before != null && before != index) {
      violation("a command was acknowledged at two indexes, " + before + " and " + index);
    }
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
      if (!mine.isCommand()
          || !Arrays.equals(mine.command(), e.getValue().command)) {
        violation("leader completeness: leader " + leader.id + " holds another entry at " + index);
        return;
      }
    }
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
      if (matchedAbove && !ea.equals(eb)) {
        violation("log matching: " + a.id + " and " + b.id + " differ at " + idx
            + " below a common entry");
        return;
      }
      if (ea.term() == eb.term()) {
        matchedAbove = true;
        if (!ea.equals(eb)) {
          violation("log matching: " + a.id + " and " + b.id + " hold different entries of term "
              + ea.term() + " at " + idx);
          return;
        }
      }
    }
  }

  /** The index each command was applied at (the first, if a bug applied it twice). */
  Map<ByteBuffer, Long> appliedIndexes() {
    HashMap<ByteBuffer, Long> out = new HashMap<>();
    applied.forEach((index, a) -> out.merge(ByteBuffer.wrap(a.command), index, Math::min));
    return out;
  }

  /** At the end: every acknowledged command is applied at its index and nowhere else. */
  void finalCheck() {
    HashMap<ByteBuffer, Integer> counts = new HashMap<>();
    for (Applied a : applied.values()) {
      counts.merge(ByteBuffer.wrap(a.command), 1, Integer::sum);
    }
    for (Map.Entry<ByteBuffer, Long> e : acknowledged.entrySet()) {
      Applied at = applied.get(e.getValue());
      if (at == null || !ByteBuffer.wrap(at.command).equals(e.getKey())) {
        violation("acknowledged command lost at index " + e.getValue());
      }
      int n = counts.getOrDefault(e.getKey(), 0);
      if (n != 1) {
        violation("acknowledged command applied " + n + " times (acknowledged at " + e.getValue() + ")");
      }
    }
  }
}
