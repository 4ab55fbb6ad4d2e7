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
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntries;
import dev.floe.raft.message.LogEntry;
import java.util.List;
import java.util.TreeMap;

/**
 * The core's view of the log: every entry after its base (the point the last compaction reached,
 * which a snapshot covers), split into a stable part (already handed to the {@code LogStore}) and
 * an unstable tail (not yet handed).
 *
 * <p>Only a tail of the log is held in memory: the unstable entries, the entries not yet applied,
 * and the most recent applied ones up to a byte budget, so that followers a little behind are
 * served without reading. Older entries are dropped from memory (not from the log) and read back
 * through the {@link EntryReader} when a lagging follower or the state machine needs them; for
 * each entry the log keeps only its term (as runs of equal terms) and a running total of bytes.
 *
 * <p>Invariants: entries are contiguous from {@code baseIndex + 1}; {@code stableIndex <=
 * lastIndex()}; a pending store truncation, if any, is {@code > baseIndex}; the entries held in
 * memory are {@code cacheStart() .. lastIndex()}, and every entry before {@code cacheStart()} is
 * stable.
 */
final class RaftLog {
  /** How much a restarted node reads back at a time while it learns its log. */
  private static final long SCAN_BYTES = 4L << 20;

  private long baseIndex;
  private long baseTerm;
  /** The last index handed to the store. */
  private long stableIndex;
  /** The lowest index the store must truncate from before appending, or 0 if none. */
  private long pendingTruncateFrom;
  /** The configuration as of {@code baseIndex}. */
  private Configuration baseConfiguration;
  /** The configuration entries in the log, by index: the last one is in effect (thesis §4.1). */
  private final TreeMap<Long, Configuration> configurations = new TreeMap<>();

  /** The sizes of the entries {@code baseIndex + 1 .. lastIndex}. */
  private final EntrySizes sizes = new EntrySizes();
  /** The terms over {@code (baseIndex, lastIndex]}. */
  private final TermRuns terms = new TermRuns();
  /** The tail of the log held in memory, ending at {@code lastIndex()}. */
  private final Tail tail = new Tail();
  /** Where dropped entries are read back from. */
  private final EntryReader reader;
  /** The most bytes of applied entries kept in memory; {@code Long.MAX_VALUE}: never drops. */
  private final long cacheBytes;

  /** A log that holds {@code recovered} in memory and never drops any of it. */
  RaftLog(long baseIndex, long baseTerm, Configuration baseConfiguration,
      List<LogEntry> recovered) {
    this(baseIndex, baseTerm, baseConfiguration, baseIndex + recovered.size(),
        (from, to, max) -> recovered.subList((int) (from - baseIndex - 1),
            (int) (to - baseIndex - 1)), Long.MAX_VALUE);
  }

  /**
   * A log whose stored entries {@code baseIndex + 1 .. lastIndex} are read through {@code reader}
   * (once, to learn their terms, sizes and configurations; the last {@code cacheBytes} of them are
   * kept in memory), and which drops applied entries from memory beyond {@code cacheBytes}.
   */
  RaftLog(long baseIndex, long baseTerm, Configuration baseConfiguration, long lastIndex,
      EntryReader reader, long cacheBytes) {
    if (cacheBytes < 0) {
      throw new IllegalArgumentException("cacheBytes must be >= 0: " + cacheBytes);
    }
    this.baseIndex = baseIndex;
    this.baseTerm = baseTerm;
    this.baseConfiguration = baseConfiguration;
    this.reader = reader;
    this.cacheBytes = cacheBytes;
    for (long next = baseIndex + 1; next <= lastIndex; ) {
      List<LogEntry> chunk = reader.read(next, lastIndex + 1, SCAN_BYTES);
      if (chunk.isEmpty()) {
        throw new IllegalStateException("the log store returned no entry at " + next
            + " although it holds entries up to " + lastIndex);
      }
      for (LogEntry e : chunk) {
        checkNext(e, next++);
        add(e);
      }
      stableIndex = lastIndex();
      trimTail(lastIndex(), 0);
    }
    this.stableIndex = lastIndex();
  }

  private static void checkNext(LogEntry e, long expected) {
    if (e.index() != expected) {
      throw new IllegalArgumentException(
          "recovered log is not contiguous: expected index " + expected + ", got " + e.index());
    }
  }

  private void add(LogEntry e) {
    sizes.add(e.sizeInBytes());
    terms.add(e.index(), e.term());
    tail.add(e);
    if (e.type() == EntryType.CONFIGURATION) {
      configurations.put(e.index(), Configuration.decode(e.data()));
    }
  }

  /** The configuration in effect: that of the last configuration entry, committed or not. */
  Configuration configuration() {
    return configurations.isEmpty() ? baseConfiguration : configurations.lastEntry().getValue();
  }

  /** The configuration before the one in effect (the base's if the log holds at most one). */
  Configuration previousConfiguration() {
    if (configurations.isEmpty()) {
      return baseConfiguration;
    }
    var before = configurations.lowerEntry(configurations.lastKey());
    return before == null ? baseConfiguration : before.getValue();
  }

  /** The index of the configuration in effect ({@code baseIndex} if it predates the log). */
  long configurationIndex() {
    return configurations.isEmpty() ? baseIndex : configurations.lastKey();
  }

  long baseIndex() {
    return baseIndex;
  }

  long baseTerm() {
    return baseTerm;
  }

  long firstIndex() {
    return baseIndex + 1;
  }

  long lastIndex() {
    return baseIndex + sizes.count();
  }

  long lastTerm() {
    return term(lastIndex());
  }

  /** The first index whose entry is held in memory ({@code lastIndex() + 1} if none is). */
  long cacheStart() {
    return lastIndex() + 1 - tail.size();
  }

  /** Returns the term at {@code index}, or -1 if it is compacted away or beyond the log. */
  long term(long index) {
    if (index == baseIndex) {
      return baseTerm;
    }
    if (index < baseIndex || index > lastIndex()) {
      return -1;
    }
    long start = cacheStart();
    if (index >= start) {
      return tail.get((int) (index - start)).term();
    }
    return terms.term(index);
  }

  /** The size of every entry from {@code baseIndex + 1} through {@code index}, plus a constant. */
  private long bytesThrough(long index) {
    return sizes.through((int) (index - baseIndex));
  }

  /** The bytes of the entries after {@code index} (which is within {@code baseIndex .. lastIndex}). */
  long bytesAfter(long index) {
    return bytesBetween(index, lastIndex());
  }

  /** The bytes of the entries in {@code (fromExclusive, toInclusive]}, both in the log or its base. */
  long bytesBetween(long fromExclusive, long toInclusive) {
    return bytesThrough(toInclusive) - bytesThrough(Math.max(fromExclusive, baseIndex));
  }

  /**
   * The last index {@code end} in {@code from - 1 .. toInclusive} such that the entries {@code
   * from .. end} take at most {@code maxBytes}.
   */
  long lastIndexWithin(long from, long toInclusive, long maxBytes) {
    return baseIndex + sizes.lastWithin(
        (int) (from - baseIndex), (int) (toInclusive - baseIndex), maxBytes);
  }

  /** Whether a log ending at (lastIndex, lastTerm) is at least as up to date as this one (§5.4.1). */
  boolean isUpToDate(long otherLastIndex, long otherLastTerm) {
    long myLastTerm = lastTerm();
    return otherLastTerm > myLastTerm || (otherLastTerm == myLastTerm && otherLastIndex >= lastIndex());
  }

  /**
   * Returns entries from {@code from}: at most {@code maxCount}, and at most {@code maxBytes} of them
   * unless the first alone is larger (at least one is returned if any). Entries no longer in
   * memory are read back, and a slice never mixes them with entries held in memory.
   */
  LogEntries slice(long from, int maxCount, long maxBytes) {
    long last = lastIndex();
    if (from > last) {
      return LogEntries.of();
    }
    long start = cacheStart();
    if (from < start) {
      return LogEntries.copyOf(readBack(from, Math.min(start, from + maxCount), maxBytes));
    }
    int first = (int) (from - start);
    int end = (int) Math.min(tail.size(), (long) first + maxCount);
    long bytes = 0;
    int i = first;
    while (i < end) {
      long size = tail.get(i).sizeInBytes();
      if (i > first && bytes + size > maxBytes) {
        break; // a message never holds more than maxBytes, unless its one entry is larger
      }
      bytes += size;
      i++;
    }
    return tail.copy(first, i);
  }

  /** Entries in {@code [from, toInclusive]}, read back where they are no longer in memory. */
  LogEntries range(long from, long toInclusive) {
    if (from > toInclusive) {
      return LogEntries.of();
    }
    long start = cacheStart();
    if (from >= start) {
      return tail.copy((int) (from - start), (int) (toInclusive - start + 1));
    }
    LogEntries.Builder out = LogEntries.builder((int) (toInclusive - from + 1));
    long next = from;
    while (next <= toInclusive && next < start) {
      List<LogEntry> read = readBack(next, Math.min(start, toInclusive + 1), Long.MAX_VALUE);
      read.forEach(out::add);
      next += read.size();
    }
    for (long i = start; i <= toInclusive; i++) {
      out.add(tail.get((int) (i - start)));
    }
    return out.build();
  }

  /** Reads {@code from .. toExclusive - 1} back from the store and checks it is this log's. */
  private List<LogEntry> readBack(long from, long toExclusive, long maxBytes) {
    List<LogEntry> read = reader.read(from, toExclusive, maxBytes);
    if (read.isEmpty() || read.size() > toExclusive - from) {
      throw new IllegalStateException("the log store returned " + read.size()
          + " entries for the range " + from + ".." + (toExclusive - 1));
    }
    for (int i = 0; i < read.size(); i++) {
      LogEntry e = read.get(i);
      if (e.index() != from + i || e.term() != term(from + i)) {
        throw new IllegalStateException("the log store returned entry " + e.index() + " of term "
            + e.term() + " where the log holds entry " + (from + i) + " of term " + term(from + i));
      }
    }
    return read;
  }

  /** Appends an entry created by this node as leader. */
  void append(LogEntry entry) {
    if (entry.index() != lastIndex() + 1) {
      throw new IllegalStateException("append at " + entry.index() + " after " + lastIndex());
    }
    add(entry);
  }

  /**
   * Stores entries sent by the leader after a matching {@code prevIndex}: entries already present
   * with the same term are skipped, so a late or duplicated request never cuts off what came after
   * it; the log is truncated only at the first real conflict (same index, different term).
   *
   * @return the index of the first conflicting entry that was replaced, or 0 if none
   */
  long appendFromLeader(long prevIndex, List<LogEntry> incoming, long commitIndex) {
    long conflict = 0;
    for (LogEntry e : incoming) {
      long index = e.index();
      if (index <= baseIndex) {
        continue; // covered by the snapshot, hence committed and equal
      }
      if (index <= lastIndex()) {
        if (term(index) == e.term()) {
          continue;
        }
        if (index <= commitIndex) {
          throw new IllegalStateException(
              "leader conflicts with committed entry " + index + " (commit " + commitIndex + ")");
        }
        truncateFrom(index);
        conflict = index;
      }
      add(e);
    }
    return conflict;
  }

  private void truncateFrom(long index) {
    long start = cacheStart();
    if (index >= start) {
      tail.truncate((int) (index - start));
    } else {
      tail.clear(); // the entries before index that were dropped from memory stay dropped
    }
    sizes.keep((int) (index - baseIndex - 1));
    terms.truncateFrom(index);
    configurations.tailMap(index, true).clear(); // a configuration rolls back with its entry
    if (index <= stableIndex) {
      stableIndex = index - 1;
      pendingTruncateFrom = pendingTruncateFrom == 0 ? index : Math.min(pendingTruncateFrom, index);
    }
  }

  /** The first index at or before {@code index} that has the same term as {@code index}. */
  long firstIndexOfTermAt(long index) {
    if (index <= baseIndex || index > lastIndex()) {
      return index;
    }
    return terms.runStart(index);
  }

  /** The last index whose term is {@code t}, or -1 if the log holds none. */
  long lastIndexOfTerm(long t) {
    return terms.lastIndexOf(t, lastIndex());
  }

  /**
   * Drops the entries up to and including {@code index}, which a snapshot covers; {@code index}
   * becomes the log's base.
   */
  void compactTo(long index) {
    if (index <= baseIndex) {
      return;
    }
    if (index > stableIndex) {
      throw new IllegalStateException("compaction to " + index + " beyond the stored " + stableIndex);
    }
    long t = term(index);
    var last = configurations.floorEntry(index);
    if (last != null) {
      baseConfiguration = last.getValue();
    }
    configurations.headMap(index, true).clear();
    if (index == lastIndex()) {
      terms.clear();
    } else {
      terms.startAt(index + 1);
    }
    long start = cacheStart();
    if (index >= start) {
      tail.dropHead((int) (index - start + 1));
    }
    sizes.dropFirst((int) (index - baseIndex));
    baseIndex = index;
    baseTerm = t;
  }

  /**
   * Replaces the whole log by a snapshot's end point: empty, with the base at {@code index} and
   * the snapshot's configuration.
   */
  void resetTo(long index, long t, Configuration configuration) {
    tail.clear();
    sizes.keep(0);
    terms.clear();
    configurations.clear();
    baseConfiguration = configuration;
    baseIndex = index;
    baseTerm = t;
    stableIndex = index;
    pendingTruncateFrom = 0;
  }

  /**
   * Drops from memory the applied and stable entries that no follower needs, and of those that
   * one may need (after {@code unneededThrough}) all but the last {@code cacheBytes}; they
   * stay in the log, to be read back. Entries that die young cost a young collection nothing;
   * held for seconds, they made pauses of 17 to 50 ms (docs/benchmarks.md, sixth round).
   *
   * @param unneededThrough the last index every follower holds: the leader's lowest follower match
   *     index; {@code Long.MAX_VALUE} on a node that does not lead, 0 if none is known
   */
  void trimTail(long appliedIndex, long unneededThrough) {
    long limit = Math.min(appliedIndex, stableIndex);
    long start = cacheStart();
    if (start > limit || cacheBytes == Long.MAX_VALUE) { // the latter log never drops an entry
      return;
    }
    long dropThrough = Math.min(limit, unneededThrough); // below start: nothing is unneeded
    long kept = Math.max(start, dropThrough + 1);
    long excess = kept > limit ? 0 : bytesBetween(kept - 1, limit) - cacheBytes;
    if (excess > 0) { // drop the shortest prefix of what may be needed that leaves cacheBytes
      dropThrough = lastIndexWithin(kept, limit, excess - 1) + 1;
    }
    if (dropThrough >= start) {
      tail.dropHead((int) (dropThrough - start + 1));
    }
  }

  boolean hasUnstable() {
    return pendingTruncateFrom != 0 || stableIndex < lastIndex();
  }

  long pendingTruncateFrom() {
    return pendingTruncateFrom;
  }

  /** Returns the entries not yet handed to the store, and marks them handed. */
  LogEntries takeUnstable() {
    LogEntries out = range(stableIndex + 1, lastIndex());
    stableIndex = lastIndex();
    pendingTruncateFrom = 0;
    return out;
  }
}
