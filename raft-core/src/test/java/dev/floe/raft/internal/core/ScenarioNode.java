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
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.spi.MonotonicClock;
import dev.floe.raft.spi.TermAndVote;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One node of a {@link ScenarioCluster}: its core, what its store holds durably (term and vote,
 * the log, the latest snapshot), and its state machine, which records the commands it applied.
 *
 * <p>The store takes a {@link Ready}'s writes in the driver's order and they are durable at once;
 * a restart rebuilds the core from them as the driver's recovery does: the state machine from the
 * latest snapshot, the log reset if it does not continue that snapshot, then the entries after it.
 */
final class ScenarioNode {
  /** A durable snapshot: where it ends, the membership as of then, and the state machine's data. */
  record Snapshot(long index, long term, byte[] configuration, byte[] data) {
    Configuration membership() {
      return Configuration.decode(configuration);
    }
  }

  final NodeId id;
  /** The founding membership (empty for a node that joins a running cluster). */
  final Configuration bootstrap;
  /** The running core, or {@code null} while the node is down. */
  RaftCore core;
  /** How often the node was started: each start draws another random source. */
  int starts;
  /** How many campaigns (pre-vote or real) the node started. */
  long campaigns;

  TermAndVote termAndVote;
  private long storedFirstIndex = 1;
  private final ArrayList<LogEntry> storedLog = new ArrayList<>();
  Snapshot snapshot;

  /** The state machine: the commands applied, in order. Lost on a crash, rebuilt at start. */
  final List<String> applied = new ArrayList<>();
  long appliedIndex;
  Configuration appliedConfiguration;

  ScenarioNode(NodeId id, Configuration bootstrap, TermAndVote termAndVote, List<LogEntry> log) {
    this.id = id;
    this.bootstrap = bootstrap;
    this.termAndVote = termAndVote;
    log.forEach(this::storeEntry);
  }

  boolean up() {
    return core != null;
  }

  // ---------------------------------------------------------------- start

  /** Builds the core from what the store holds, as the driver's recovery does. */
  RaftCore start(CoreConfig config, RandomGenerator random, MonotonicClock clock) {
    starts++;
    restoreStateMachine();
    long snapIndex = snapshot == null ? 0 : snapshot.index();
    long snapTerm = snapshot == null ? 0 : snapshot.term();
    if (!logContinues(snapIndex, snapTerm)) {
      resetLog(snapIndex + 1);
    }
    List<LogEntry> entries = storedLog.stream().filter(e -> e.index() > snapIndex).toList();
    core = new RaftCore(id, appliedConfiguration, config, termAndVote, snapIndex, snapTerm,
        entries, random, clock);
    return core;
  }

  private void restoreStateMachine() {
    applied.clear();
    appliedIndex = 0;
    appliedConfiguration = bootstrap;
    if (snapshot != null) {
      restore(snapshot);
    }
  }

  private boolean logContinues(long snapIndex, long snapTerm) {
    long last = storedLastIndex();
    if (storedFirstIndex > snapIndex + 1 || last < snapIndex) {
      return false;
    }
    return snapIndex < storedFirstIndex || storedTerm(snapIndex) == snapTerm;
  }

  // ---------------------------------------------------------------- the store

  /** Carries out a ready's writes in the driver's order (see {@code StoreWrites}). */
  void persist(Ready r) {
    if (r.resetLogTo() != 0) {
      resetLog(r.resetLogTo());
    }
    if (r.truncateFrom() != 0) {
      storedLog.removeIf(e -> e.index() >= r.truncateFrom());
    }
    r.entries().forEach(this::storeEntry);
    if (r.termAndVote() != null) {
      termAndVote = r.termAndVote();
    }
    if (r.compactUpTo() != 0) {
      storedLog.removeIf(e -> e.index() <= r.compactUpTo());
      storedFirstIndex = Math.max(storedFirstIndex, r.compactUpTo() + 1);
    }
  }

  private void storeEntry(LogEntry e) {
    if (e.index() != storedLastIndex() + 1) {
      throw new AssertionError(id + ": the store's log must stay contiguous: " + e
          + " after " + storedLastIndex());
    }
    storedLog.add(e);
  }

  private void resetLog(long nextIndex) {
    storedLog.clear();
    storedFirstIndex = nextIndex;
  }

  long storedFirstIndex() {
    return storedFirstIndex;
  }

  long storedLastIndex() {
    return storedFirstIndex + storedLog.size() - 1;
  }

  private long storedTerm(long index) {
    return storedLog.get((int) (index - storedFirstIndex)).term();
  }

  List<LogEntry> storedLog() {
    return List.copyOf(storedLog);
  }

  // ---------------------------------------------------------------- the state machine

  /** Applies committed entries in order. */
  void apply(List<LogEntry> committed) {
    for (LogEntry e : committed) {
      if (e.index() != appliedIndex + 1) {
        throw new AssertionError(id + ": applies " + e + " after " + appliedIndex);
      }
      if (e.type() == EntryType.CONFIGURATION) {
        appliedConfiguration = Configuration.decode(e.data());
      } else if (e.isCommand()) {
        applied.add(new String(e.command(), StandardCharsets.UTF_8));
      }
      appliedIndex = e.index();
    }
  }

  /** Takes a durable snapshot of the applied state, as the driver's snapshot taker does. */
  Snapshot takeSnapshot(long appliedTerm) {
    snapshot = new Snapshot(appliedIndex, appliedTerm, appliedConfiguration.encode(), encode());
    return snapshot;
  }

  /**
   * Takes a snapshot the leader sent (in one chunk) as the driver's installer does: it is durable
   * and the state machine restored from it before the core hears of it.
   */
  void install(InstallSnapshotRequest chunk) {
    if (chunk.offset() != 0 || !chunk.done()) {
      throw new AssertionError("scenario snapshots travel in one chunk: " + chunk);
    }
    snapshot = new Snapshot(chunk.snapshotIndex(), chunk.snapshotTerm(), chunk.configuration(),
        chunk.chunk());
    restore(snapshot);
  }

  private void restore(Snapshot s) {
    applied.clear();
    String text = new String(s.data(), StandardCharsets.UTF_8);
    if (!text.isEmpty()) {
      applied.addAll(Arrays.asList(text.split("\n", -1)));
    }
    appliedIndex = s.index();
    Configuration c = s.membership();
    if (!c.isEmpty()) {
      appliedConfiguration = c;
    }
  }

  private byte[] encode() {
    return String.join("\n", applied).getBytes(StandardCharsets.UTF_8);
  }
}
