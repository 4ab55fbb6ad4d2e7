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
import dev.floe.raft.message.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The core's view of the log: every entry after its base (the point the last compaction reached,
 * which a snapshot covers), in memory, split into a stable part (already handed to the {@code
 * LogStore}) and an unstable tail (not yet handed).
 *
 * <p>Invariants: entries are contiguous from {@code baseIndex + 1}; {@code stableIndex <=
 * lastIndex()}; a pending store truncation, if any, is {@code > baseIndex}.
 */
final class RaftLog {
  private long baseIndex;
  private long baseTerm;
  private final ArrayList<LogEntry> entries = new ArrayList<>();
  /** The last index handed to the store. */
  private long stableIndex;
  /** The lowest index the store must truncate from before appending, or 0 if none. */
  private long pendingTruncateFrom;
  /** The configuration as of {@code baseIndex}. */
  private Configuration baseConfiguration;
  /** The configuration entries in the log, by index: the last one is in effect (thesis §4.1). */
  private final TreeMap<Long, Configuration> configurations = new TreeMap<>();

  RaftLog(long baseIndex, long baseTerm, Configuration baseConfiguration,
      List<LogEntry> recovered) {
    this.baseIndex = baseIndex;
    this.baseTerm = baseTerm;
    this.baseConfiguration = baseConfiguration;
    long expected = baseIndex + 1;
    for (LogEntry e : recovered) {
      if (e.index() != expected) {
        throw new IllegalArgumentException(
            "recovered log is not contiguous: expected index " + expected + ", got " + e.index());
      }
      add(e);
      expected++;
    }
    this.stableIndex = lastIndex();
  }

  private void add(LogEntry e) {
    entries.add(e);
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
    Map.Entry<Long, Configuration> before = configurations.lowerEntry(configurations.lastKey());
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
    return baseIndex + entries.size();
  }

  long lastTerm() {
    return term(lastIndex());
  }

  /** Returns the term at {@code index}, or -1 if it is compacted away or beyond the log. */
  long term(long index) {
    if (index == baseIndex) {
      return baseTerm;
    }
    if (index < baseIndex || index > lastIndex()) {
      return -1;
    }
    return entries.get((int) (index - baseIndex - 1)).term();
  }

  LogEntry entry(long index) {
    return entries.get((int) (index - baseIndex - 1));
  }

  /** Whether a log ending at (lastIndex, lastTerm) is at least as up to date as this one (§5.4.1). */
  boolean isUpToDate(long otherLastIndex, long otherLastTerm) {
    long myLastTerm = lastTerm();
    return otherLastTerm > myLastTerm || (otherLastTerm == myLastTerm && otherLastIndex >= lastIndex());
  }

  /**
   * Returns entries from {@code from}: at most {@code maxCount}, and at most {@code maxBytes} of them
   * unless the first alone is larger (at least one is returned if any).
   */
  List<LogEntry> slice(long from, int maxCount, long maxBytes) {
    long last = lastIndex();
    if (from > last) {
      return List.of();
    }
    int start = (int) (from - baseIndex - 1);
    int end = (int) Math.min(entries.size(), (long) start + maxCount);
    long bytes = 0;
    int i = start;
    while (i < end) {
      long size = entries.get(i).sizeInBytes();
      if (i > start && bytes + size > maxBytes) {
        break; // a message never holds more than maxBytes, unless its one entry is larger
      }
      bytes += size;
      i++;
    }
    return new ArrayList<>(entries.subList(start, i));
  }

  /** Entries in {@code [from, toInclusive]}. */
  List<LogEntry> range(long from, long toInclusive) {
    if (from > toInclusive) {
      return List.of();
    }
    return new ArrayList<>(
        entries.subList((int) (from - baseIndex - 1), (int) (toInclusive - baseIndex)));
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
    entries.subList((int) (index - baseIndex - 1), entries.size()).clear();
    configurations.tailMap(index, true).clear(); // a configuration rolls back with its entry
    if (index <= stableIndex) {
      stableIndex = index - 1;
      pendingTruncateFrom = pendingTruncateFrom == 0 ? index : Math.min(pendingTruncateFrom, index);
    }
  }

  /** The first index at or before {@code index} that has the same term as {@code index}. */
  long firstIndexOfTermAt(long index) {
    long t = term(index);
    long i = index;
    while (i - 1 > baseIndex && term(i - 1) == t) {
      i--;
    }
    return i;
  }

  /** The last index whose term is {@code t}, or -1 if the log holds none. */
  long lastIndexOfTerm(long t) {
    for (long i = lastIndex(); i > baseIndex; i--) {
      long ti = term(i);
      if (ti == t) {
        return i;
      }
      if (ti < t) {
        return -1;
      }
    }
    return -1;
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
    Map.Entry<Long, Configuration> last = configurations.floorEntry(index);
    if (last != null) {
      baseConfiguration = last.getValue();
    }
    configurations.headMap(index, true).clear();
    entries.subList(0, (int) (index - baseIndex)).clear();
    baseIndex = index;
    baseTerm = t;
  }

  /**
   * Replaces the whole log by a snapshot's end point: empty, with the base at {@code index} and
   * the snapshot's configuration.
   */
  void resetTo(long index, long t, Configuration configuration) {
    entries.clear();
    configurations.clear();
    baseConfiguration = configuration;
    baseIndex = index;
    baseTerm = t;
    stableIndex = index;
    pendingTruncateFrom = 0;
  }

  boolean hasUnstable() {
    return pendingTruncateFrom != 0 || stableIndex < lastIndex();
  }

  long pendingTruncateFrom() {
    return pendingTruncateFrom;
  }

  /** Returns the entries not yet handed to the store, and marks them handed. */
  List<LogEntry> takeUnstable() {
    List<LogEntry> out = range(stableIndex + 1, lastIndex());
    stableIndex = lastIndex();
    pendingTruncateFrom = 0;
    return out;
  }
}
