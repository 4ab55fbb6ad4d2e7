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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Supplier;

/**
 * What clients observed (the writes they submitted, with their results, and the reads they made,
 * with their answers), checked for linearizability against a sequential {@link Model}.
 *
 * <p>Raft fixes the order of writes: their log index. Given that order, the history is
 * linearizable exactly when:
 * <ol>
 *   <li>a write that completed before another was invoked has the lower index (real-time order);
 *   <li>the model, applying the committed commands in index order, gives every write the result
 *       the state machine gave, and so every acknowledged write the result it was acknowledged
 *       with;
 *   <li>each read can be placed at a state of the model (the state after some prefix of the
 *       commands) that answers its query as the read was answered, no earlier than every write that
 *       completed before the read was invoked, no later than the last write invoked before the read
 *       completed, and no earlier than the state of any read that completed before it was invoked.
 * </ol>
 * The first two are checked directly. For the third, each read's candidate states are found in one
 * pass of the model over the commands; then the reads are placed in the order they completed, each
 * at its earliest candidate that is no earlier than the reads before it: an earliest placement
 * leaves every later read the most room, so this finds a placement whenever one exists. This checks
 * in polynomial time what Wing and Gong's search would find.
 *
 * <p>Commands need not be distinct. An acknowledged write is known by its index; a command in the
 * log whose write was not acknowledged is taken to have been invoked no earlier than the first
 * submit of its bytes (exact when commands are distinct), and a write whose outcome is unknown
 * constrains nothing else.
 */
final class History {
  /** A write: one submit (retried within its session until answered). */
  static final class Write {
    final byte[] command;
    final long invokedMicros;
    long completedMicros = Long.MAX_VALUE;
    long index = -1;
    byte[] result;

    Write(byte[] command, long invokedMicros) {
      this.command = command;
      this.invokedMicros = invokedMicros;
    }
  }

  /** A read, answered; {@code how} says through which node, at which consistency. */
  record Read(byte[] query, byte[] answer, long invokedMicros, long completedMicros, String how) {}

  /** At most this many problems are reported from one history. */
  private static final int MAX_PROBLEMS = 10;

  private final List<Write> writes = new ArrayList<>();
  private final List<Read> reads = new ArrayList<>();

  /** A write was invoked: its first attempt. */
  Write writeInvoked(byte[] command, long nowMicros) {
    Write w = new Write(command, nowMicros);
    writes.add(w);
    return w;
  }

  /** The write was acknowledged, at {@code index} with {@code result}. */
  void acknowledged(Write w, long completedMicros, long index, byte[] result) {
    w.completedMicros = completedMicros;
    w.index = index;
    w.result = result;
  }

  void read(byte[] query, byte[] answer, long invokedMicros, long completedMicros, String how) {
    reads.add(new Read(query, answer, invokedMicros, completedMicros, how));
  }

  int operations() {
    return writes.size() + reads.size();
  }

  /** The reads recorded. */
  int reads() {
    return reads.size();
  }

  /**
   * Checks the history against the commands applied (by index, as first applied) and, if {@code
   * model} is not null, against a new model from it.
   */
  List<String> check(NavigableMap<Long, Checker.Applied> applied, Supplier<? extends Model> model) {
    List<Write> acknowledged = writes.stream().filter(w -> w.index > 0).toList();
    Map<Long, Long> invokedAt = new HashMap<>();
    acknowledged.forEach(w -> invokedAt.merge(w.index, w.invokedMicros, Math::min));
    Log log = new Log(applied, invokedAt, earliestInvocations());
    List<String> problems = new ArrayList<>();
    checkRealTimeOrder(log, acknowledged, problems);
    if (model != null && problems.size() < MAX_PROBLEMS) {
      new ModelCheck(log, acknowledged, problems, model).run();
    }
    return problems;
  }

  /** The first invocation of each command's bytes. */
  private Map<ContentKey, Long> earliestInvocations() {
    Map<ContentKey, Long> first = new HashMap<>();
    for (Write w : writes) {
      first.merge(new ContentKey(w.command), w.invokedMicros, Math::min);
    }
    return first;
  }

  /**
   * The applied commands in index order: position {@code p} is the {@code p}-th command; the state
   * "at position p" is the one after the first {@code p} commands.
   */
  private static final class Log {
    final long[] index;
    final byte[][] command;
    final byte[][] result;
    /**
     * The latest invocation among the first {@code p} commands ({@code MIN_VALUE}: none known): an
     * acknowledged command's own, another's the first of its bytes.
     */
    final long[] latestInvocationBefore;

    Log(NavigableMap<Long, Checker.Applied> applied, Map<Long, Long> invokedAt,
        Map<ContentKey, Long> firstInvoked) {
      int n = applied.size();
      index = new long[n];
      command = new byte[n][];
      result = new byte[n][];
      latestInvocationBefore = new long[n + 1];
      latestInvocationBefore[0] = Long.MIN_VALUE;
      int p = 0;
      for (Map.Entry<Long, Checker.Applied> e : applied.entrySet()) {
        index[p] = e.getKey();
        command[p] = e.getValue().command();
        result[p] = e.getValue().result();
        Long known = invokedAt.get(index[p]);
        long invoked = known != null ? known
            : firstInvoked.getOrDefault(new ContentKey(command[p]), Long.MIN_VALUE);
        latestInvocationBefore[p + 1] = Math.max(latestInvocationBefore[p], invoked);
        p++;
      }
    }

    int size() {
      return index.length;
    }

    /** The position of the command at {@code logIndex}, or -1 if none was applied there. */
    int positionOf(long logIndex) {
      int p = Arrays.binarySearch(index, logIndex);
      return p >= 0 ? p : -1;
    }

    /** The log index of the state at position {@code p} (0 for the initial state). */
    long indexAt(int p) {
      return p == 0 ? 0 : index[p - 1];
    }

    /** The latest state whose every command was first invoked by {@code micros}. */
    int lastStateInvokedBy(long micros) {
      int lo = 0;
      int hi = size();
      while (lo < hi) {
        int mid = (lo + hi + 1) >>> 1;
        if (latestInvocationBefore[mid] <= micros) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      return lo;
    }
  }

  private static void checkRealTimeOrder(Log log, List<Write> acknowledged, List<String> problems) {
    for (Write w : acknowledged) {
      int p = log.positionOf(w.index);
      if (p < 0 || log.latestInvocationBefore[p] <= w.completedMicros) {
        continue; // never applied (the checker reports that), or in order
      }
      int later = 0;
      while (log.latestInvocationBefore[later + 1] <= w.completedMicros) {
        later++;
      }
      problems.add("real-time order: the command at index " + log.index[later] + " was first"
          + " submitted after the command at index " + w.index + " was acknowledged, yet it comes"
          + " first in the log");
      if (problems.size() >= MAX_PROBLEMS) {
        return;
      }
    }
  }

  /** The checks against the model: results, and the placement of every read. */
  private final class ModelCheck {
    private final Log log;
    private final List<Write> acknowledged;
    private final List<String> problems;
    private final Supplier<? extends Model> models;
    /** Each read's window of states it may see, and the states in it that answer it so. */
    private final int[] first;
    private final int[] last;
    private final int[][] candidates;
    private final int[] candidateCount;

    ModelCheck(Log log, List<Write> acknowledged, List<String> problems,
        Supplier<? extends Model> models) {
      this.log = log;
      this.acknowledged = acknowledged;
      this.problems = problems;
      this.models = models;
      this.first = new int[reads.size()];
      this.last = new int[reads.size()];
      this.candidates = new int[reads.size()][];
      this.candidateCount = new int[reads.size()];
    }

    void run() {
      windows();
      if (!replay(models.get())) {
        return;
      }
      placeReads();
    }

    /**
     * Each read's window: at or after every write acknowledged before it was invoked, before any
     * command first submitted after it completed.
     */
    private void windows() {
      List<Write> byCompletion = new ArrayList<>(acknowledged);
      byCompletion.sort(Comparator.comparingLong(w -> w.completedMicros));
      long[] completed = new long[byCompletion.size()];
      int[] highestState = new int[byCompletion.size()]; // the highest state they imply, so far
      int highest = 0;
      for (int i = 0; i < byCompletion.size(); i++) {
        Write w = byCompletion.get(i);
        completed[i] = w.completedMicros;
        int p = log.positionOf(w.index);
        highest = Math.max(highest, p + 1); // p = -1 (never applied) implies nothing
        highestState[i] = highest;
      }
      for (int r = 0; r < reads.size(); r++) {
        Read read = reads.get(r);
        int before = countBelow(completed, completed.length, read.invokedMicros());
        first[r] = before == 0 ? 0 : highestState[before - 1];
        last[r] = log.lastStateInvokedBy(read.completedMicros());
        candidates[r] = new int[2];
      }
    }

    /**
     * Applies the commands to the model in order, comparing its results, and collects at each state
     * the reads whose window holds it and whose answer it gives.
     *
     * @return false if the model failed, so that nothing more can be checked
     */
    private boolean replay(Model model) {
      Integer[] byFirst = new Integer[reads.size()];
      for (int r = 0; r < byFirst.length; r++) {
        byFirst[r] = r;
      }
      Arrays.sort(byFirst, Comparator.comparingInt(r -> first[r]));
      Map<Long, List<Write>> acknowledgedAt = new HashMap<>();
      acknowledged.forEach(w -> acknowledgedAt.computeIfAbsent(w.index, k -> new ArrayList<>())
          .add(w));
      List<Integer> open = new ArrayList<>();
      int next = 0;
      for (int p = 0; p <= log.size(); p++) {
        while (next < byFirst.length && first[byFirst[next]] <= p) {
          open.add(byFirst[next++]);
        }
        final int state = p;
        open.removeIf(r -> last[r] < state);
        if (!collectCandidates(model, p, open)) {
          return false;
        }
        if (p < log.size() && !applyAndCompare(model, p, acknowledgedAt)) {
          return false;
        }
      }
      return true;
    }

    private boolean collectCandidates(Model model, int p, List<Integer> open) {
      Map<ContentKey, byte[]> answers = new HashMap<>(); // one model query per distinct query
      for (int r : open) {
        Read read = reads.get(r);
        byte[] expected;
        try {
          expected = answers.computeIfAbsent(new ContentKey(read.query()),
              q -> model.query(read.query()));
        } catch (RuntimeException e) {
          problems.add("the model threw answering the query " + Bytes.show(read.query())
              + " after index " + log.indexAt(p) + ": " + NodeFailures.stackTrace(e));
          return false;
        }
        if (Arrays.equals(expected, read.answer())) {
          if (candidateCount[r] == candidates[r].length) {
            candidates[r] = Arrays.copyOf(candidates[r], candidateCount[r] * 2);
          }
          candidates[r][candidateCount[r]++] = p;
        }
      }
      return true;
    }

    private boolean applyAndCompare(Model model, int p, Map<Long, List<Write>> acknowledgedAt) {
      long index = log.index[p];
      byte[] expected;
      try {
        expected = model.apply(index, log.command[p]);
      } catch (RuntimeException e) {
        problems.add("the model threw applying the command at index " + index + ", "
            + Bytes.show(log.command[p]) + ": " + NodeFailures.stackTrace(e));
        return false;
      }
      byte[] got = log.result[p];
      if (got != null && !Arrays.equals(got, expected) && problems.size() < MAX_PROBLEMS) {
        problems.add("wrong result: the state machine returned " + Bytes.show(got) + " for the"
            + " command at index " + index + ", " + Bytes.show(log.command[p]) + "; the model "
            + Bytes.show(expected));
        return true;
      }
      for (Write w : acknowledgedAt.getOrDefault(index, List.of())) {
        if (!Arrays.equals(w.result, expected) && problems.size() < MAX_PROBLEMS) {
          problems.add("wrong result acknowledged: the command at index " + index + " was"
              + " acknowledged with " + Bytes.show(w.result) + "; the model gives "
              + Bytes.show(expected));
          break;
        }
      }
      return true;
    }

    /** Places the reads in the order they completed, each at its earliest possible state. */
    private void placeReads() {
      Integer[] byCompletion = new Integer[reads.size()];
      for (int r = 0; r < byCompletion.length; r++) {
        byCompletion[r] = r;
      }
      Arrays.sort(byCompletion, Comparator.comparingLong(r -> reads.get(r).completedMicros()));
      long[] completed = new long[byCompletion.length];
      int[] latestPlaced = new int[byCompletion.length]; // the latest state of the reads so far
      int placedCount = 0;
      List<Integer> unplaceable = new ArrayList<>();
      for (int r : byCompletion) {
        Read read = reads.get(r);
        int before = countBelow(completed, placedCount, read.invokedMicros());
        int floor = before == 0 ? 0 : latestPlaced[before - 1];
        int state = -1;
        for (int i = 0; i < candidateCount[r] && state < 0; i++) {
          if (candidates[r][i] >= floor) {
            state = candidates[r][i];
          }
        }
        if (state < 0) {
          if (candidateCount[r] > 0) {
            problems.add("read went back in time: " + read.how() + " of " + Bytes.show(read.query())
                + " returned the state as of index "
                + log.indexAt(candidates[r][candidateCount[r] - 1])
                + " or earlier, but a read that ended before it began had seen index "
                + log.indexAt(floor));
          } else {
            unplaceable.add(r);
          }
          state = floor;
        }
        completed[placedCount] = read.completedMicros();
        latestPlaced[placedCount] = Math.max(state, placedCount == 0 ? 0
            : latestPlaced[placedCount - 1]);
        placedCount++;
        if (problems.size() + unplaceable.size() >= MAX_PROBLEMS) {
          break;
        }
      }
      if (!unplaceable.isEmpty()) {
        explain(unplaceable.subList(0, Math.min(3, unplaceable.size())));
      }
    }

    /**
     * Says of reads that fit no state in their window which states give their answer: earlier
     * ones (a stale read), later ones (a read of writes not yet made), or none at all.
     */
    private void explain(List<Integer> unplaceable) {
      Model again = null;
      List<List<Integer>> matching = new ArrayList<>();
      unplaceable.forEach(r -> matching.add(new ArrayList<>()));
      try {
        again = models.get();
        for (int p = 0; p <= log.size(); p++) {
          for (int i = 0; i < unplaceable.size(); i++) {
            Read read = reads.get(unplaceable.get(i));
            if (Arrays.equals(again.query(read.query()), read.answer())) {
              matching.get(i).add(p);
            }
          }
          if (p < log.size()) {
            again.apply(log.index[p], log.command[p]);
          }
        }
      } catch (RuntimeException e) {
        // the first pass went through, so a second one fails only with a non-deterministic model
      }
      for (int i = 0; i < unplaceable.size(); i++) {
        problems.add(describeUnplaceable(unplaceable.get(i), matching.get(i)));
      }
    }

    private String describeUnplaceable(int r, List<Integer> matching) {
      Read read = reads.get(r);
      String what = read.how() + " of " + Bytes.show(read.query()) + " returned "
          + Bytes.show(read.answer());
      String window = "it may see the state as of index " + log.indexAt(first[r])
          + (last[r] > first[r] ? " to " + log.indexAt(last[r]) : "");
      int earlier = -1;
      int later = -1;
      for (int p : matching) {
        if (p < first[r]) {
          earlier = p;
        } else if (p > last[r] && later < 0) {
          later = p;
        }
      }
      if (earlier >= 0) {
        return "stale read: " + what + ", the state as of index " + log.indexAt(earlier)
            + ", but the command at index " + log.indexAt(first[r]) + " had been acknowledged"
            + " before the read began (" + window + ")";
      }
      if (later >= 0) {
        return "read of the future: " + what + ", the state as of index " + log.indexAt(later)
            + ", which holds the command at index " + log.indexAt(last[r] + 1) + ", first"
            + " submitted only after the read had ended (" + window + ")";
      }
      return "read matches no state: " + what + ", which the model gives at no index (" + window
          + ")";
    }
  }

  /** How many of the first {@code length} of the sorted {@code values} are below {@code bound}. */
  private static int countBelow(long[] sorted, int length, long bound) {
    int lo = 0;
    int hi = length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < bound) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
