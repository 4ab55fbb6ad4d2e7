package dev.floe.raft.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * What clients observed of a register (each write sets it to a distinct value; a read returns the
 * last value written, or the empty value before any), checked for linearizability.
 *
 * <p>Raft fixes the order of writes: their log index. Given that order, a history of a register
 * with distinct values is linearizable exactly when no operation contradicts real time:
 * <ol>
 *   <li>a write that completed before another was invoked has the lower index;
 *   <li>a read returns a value whose write was invoked before the read completed;
 *   <li>a read is not stale: every write that completed before it was invoked is at or below the
 *       index of the value it returned, and every write invoked after it completed is above;
 *   <li>a read that completed before another was invoked returned an index no higher.
 * </ol>
 * Each read can then be placed just after the write it observed, within its interval, and each
 * write at its commit. This checks in polynomial time what Wing and Gong's search would find.
 * Writes whose outcome was unknown count with an open completion, and with their index if they
 * were applied.
 */
final class History {
  record Write(String value, long invokedMicros, long completedMicros) {}

  record Read(String value, long invokedMicros, long completedMicros) {}

  private final List<Write> writes = new ArrayList<>();
  private final List<Read> reads = new ArrayList<>();
  private final Map<String, Long> invokedAt = new HashMap<>();

  void writeInvoked(String value, long nowMicros) {
    invokedAt.putIfAbsent(value, nowMicros);
  }

  /** A write's outcome: acknowledged at {@code completedMicros}, or unknown ({@code Long.MAX_VALUE}). */
  void writeEnded(String value, long completedMicros) {
    writes.add(new Write(value, invokedAt.get(value), completedMicros));
  }

  void read(String value, long invokedMicros, long completedMicros) {
    reads.add(new Read(value, invokedMicros, completedMicros));
  }

  /** Writes still waiting at the end have an unknown outcome. */
  void pendingWritesUnknown() {
    java.util.Set<String> ended = new java.util.HashSet<>();
    writes.forEach(w -> ended.add(w.value()));
    invokedAt.forEach((v, t) -> {
      if (!ended.contains(v)) {
        writes.add(new Write(v, t, Long.MAX_VALUE));
      }
    });
  }

  int operations() {
    return writes.size() + reads.size();
  }

  /**
   * Checks the history; {@code indexOf} gives the log index a value was applied at (0 for the
   * empty value, -1 if never applied).
   */
  List<String> check(ToLongFunction<String> indexOf) {
    List<String> problems = new ArrayList<>();
    List<long[]> appliedWrites = new ArrayList<>(); // index, invoked, completed
    for (Write w : writes) {
      long idx = indexOf.applyAsLong(w.value());
      if (idx > 0) {
        appliedWrites.add(new long[] {idx, w.invokedMicros(), w.completedMicros()});
      } else if (w.completedMicros() != Long.MAX_VALUE) {
        problems.add("acknowledged write " + w.value() + " was never applied");
      }
    }
    for (long[] a : appliedWrites) {
      for (long[] b : appliedWrites) {
        if (a[2] < b[1] && a[0] >= b[0]) {
          problems.add("write at index " + a[0] + " completed before the write at " + b[0]
              + " was invoked");
        }
      }
    }
    for (Read r : reads) {
      long idx = r.value().isEmpty() ? 0 : indexOf.applyAsLong(r.value());
      if (idx < 0) {
        problems.add("read returned " + r.value() + ", which was never applied");
        continue;
      }
      Long invoked = invokedAt.get(r.value());
      if (idx > 0 && (invoked == null || invoked > r.completedMicros())) {
        problems.add("read returned " + r.value() + " before it was written");
      }
      for (long[] w : appliedWrites) {
        if (w[2] < r.invokedMicros() && w[0] > idx) {
          problems.add("stale read: returned index " + idx + " after the write at " + w[0]
              + " had completed");
          break;
        }
        if (w[1] > r.completedMicros() && w[0] <= idx) {
          problems.add("read returned index " + idx + " before the write at " + w[0]
              + " was invoked");
          break;
        }
      }
      for (Read other : reads) {
        long otherIdx = other.value().isEmpty() ? 0 : indexOf.applyAsLong(other.value());
        if (other.completedMicros() < r.invokedMicros() && otherIdx > idx) {
          problems.add("read went back in time: index " + otherIdx + " then " + idx);
          break;
        }
      }
      if (problems.size() > 10) {
        break;
      }
    }
    return problems;
  }
}
