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
package dev.floe.raft.storage.file;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where every entry of the log is, or will be once the sync thread has written it: the term, the
 * segment and the byte offset of each entry, and the planned end of each segment. The store decides
 * the layout when an entry is appended, so {@code term(index)} and reads are O(1) lookups that never
 * scan a file. Not thread-safe: the store guards it with its lock.
 */
final class LogIndex {
  /** A planned segment: where it starts and the offset at which its next record goes. */
  static final class SegmentPlan {
    final long firstIndex;
    long endOffset;

    SegmentPlan(long firstIndex, long endOffset) {
      this.firstIndex = firstIndex;
      this.endOffset = endOffset;
    }
  }

  /** What a suffix truncation changes on disk. */
  record Truncation(long segmentFirstIndex, long offset, List<Long> removedSegments) {}

  /**
   * Entries are kept in chunks of this many: a long log grows by adding a chunk, not by copying
   * every array into one twice its size (without compaction the copies were a twentieth of what a
   * node allocated per entry), and compaction drops whole chunks.
   */
  private static final int CHUNK_BITS = 12;
  private static final int CHUNK = 1 << CHUNK_BITS;
  private static final int MASK = CHUNK - 1;
  /** An entry in a chunk: its term (8 bytes), its offset (8) and its record's size (4). */
  private static final int ENTRY_BYTES = 20;
  private static final int TERM_AT = 0;
  private static final int OFFSET_AT = 8;
  private static final int SIZE_AT = 16;

  private final TreeMap<Long, SegmentPlan> segments = new TreeMap<>();
  private long firstIndex;
  private int count;
  /** Whether the last {@link #append} started a new segment. */
  private boolean appendStartedSegment;
  /**
   * The entries, {@link #CHUNK} to a chunk, off the heap. An index lives as long as its entries,
   * so on the heap every chunk was copied out of the young generation by the collector, and those
   * chunks were most of what each young collection copied: off the heap, three nodes under load
   * spent a half to two thirds as long in GC pauses (docs/benchmarks.md, thirteenth round).
   */
  private final List<ByteBuffer> chunks = new ArrayList<>();
  /**
   * Every chunk that compaction, truncation or a reset dropped, reused before any new one is
   * allocated. A log compacted behind its snapshots thus keeps using the same memory, at most the
   * most chunks it ever held at once, and never waits for the collector to release any: a direct
   * buffer's memory goes back only when its small heap object is collected, which for an old one
   * can take long (and, with explicit GC disabled, until direct memory runs out). The chunks are
   * released with the index, when the store is closed and dropped.
   */
  private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();
  /** Where the first entry is in the first chunk. */
  private int head;

  LogIndex(long firstIndex) {
    this.firstIndex = firstIndex;
  }

  long firstIndex() {
    return firstIndex;
  }

  long lastIndex() {
    return firstIndex + count - 1;
  }

  boolean contains(long index) {
    return index >= firstIndex && index < firstIndex + count;
  }

  long term(long index) {
    int slot = slot(index);
    return chunkOf(slot).getLong(at(slot) + TERM_AT);
  }

  long offset(long index) {
    int slot = slot(index);
    return chunkOf(slot).getLong(at(slot) + OFFSET_AT);
  }

  int recordSize(long index) {
    int slot = slot(index);
    return chunkOf(slot).getInt(at(slot) + SIZE_AT);
  }

  private ByteBuffer chunkOf(int slot) {
    return chunks.get(slot >>> CHUNK_BITS);
  }

  /** Where a slot's entry starts in its chunk. */
  private static int at(int slot) {
    return ENTRY_BYTES * (slot & MASK);
  }

  /**
   * How many chunks of direct memory, each for {@code 4096} entries, the index holds in use or
   * spare. It lets none go, so this is also how many it ever allocated: no more than it held at
   * once at its longest, however often the log is compacted.
   */
  int heldChunks() {
    return chunks.size() + spare.size();
  }

  /** The first index of the last segment (there must be one). */
  long lastSegment() {
    return segments.lastKey();
  }

  /** Whether the last {@link #append} started a new segment (see {@link #lastSegment}). */
  boolean appendStartedSegment() {
    return appendStartedSegment;
  }

  long segmentOf(long index) {
    return segments.floorKey(index);
  }

  private int slot(long index) {
    if (!contains(index)) {
      throw new IndexOutOfBoundsException(
          "no entry at index " + index + " (log holds " + firstIndex + ".." + lastIndex() + ")");
    }
    return head + (int) (index - firstIndex);
  }

  /** Adds a segment found on disk by recovery. */
  void addRecoveredSegment(long segmentFirstIndex, long endOffset) {
    segments.put(segmentFirstIndex, new SegmentPlan(segmentFirstIndex, endOffset));
  }

  /** Adds an entry found on disk by recovery (its segment is the last one added). */
  void addRecoveredEntry(long term, long offset, int recordSize) {
    add(term, offset, recordSize);
  }

  /**
   * Records the entry appended after the last one and returns the offset it goes to: at the end of
   * the last segment, or at the start of a new one (which then starts at this entry's index) if
   * that segment holds a record and would grow beyond {@code segmentSizeBytes}. Allocates nothing
   * but a new segment's plan: it runs for every entry appended.
   */
  long append(long term, int recordSize, long segmentSizeBytes) {
    long index = lastIndex() + 1;
    SegmentPlan segment = segments.isEmpty() ? null : segments.get(segments.lastKey());
    appendStartedSegment = segment == null
        || (segment.endOffset > SegmentFormat.HEADER_SIZE
            && segment.endOffset + recordSize > segmentSizeBytes);
    if (appendStartedSegment) {
      segment = new SegmentPlan(index, SegmentFormat.HEADER_SIZE);
      segments.put(index, segment);
    }
    long offset = segment.endOffset;
    segment.endOffset += recordSize;
    add(term, offset, recordSize);
    return offset;
  }

  /** Adds an entry after the last one; a new chunk only when the last one is full. */
  private void add(long term, long offset, int recordSize) {
    int slot = head + count;
    if (slot >>> CHUNK_BITS == chunks.size()) {
      ByteBuffer reused = spare.poll();
      chunks.add(reused != null
          ? reused
          : ByteBuffer.allocateDirect(ENTRY_BYTES * CHUNK).order(ByteOrder.nativeOrder()));
    }
    ByteBuffer entries = chunkOf(slot);
    int at = at(slot);
    entries.putLong(at + TERM_AT, term);
    entries.putLong(at + OFFSET_AT, offset);
    entries.putInt(at + SIZE_AT, recordSize);
    count++;
  }

  /** Removes the entries at and after {@code fromIndex}, which must hold an entry. */
  Truncation truncateFrom(long fromIndex) {
    long offset = offset(fromIndex);
    long holder = segments.floorKey(fromIndex);
    List<Long> removed = new ArrayList<>(segments.tailMap(holder, false).keySet());
    segments.tailMap(holder, false).clear();
    segments.get(holder).endOffset = offset;
    count = (int) (fromIndex - firstIndex);
    dropChunksAfter(head + count);
    return new Truncation(holder, offset, removed);
  }

  /**
   * Removes the whole segments that hold only entries up to {@code upToIndex}, keeping the one that
   * holds (or would hold) {@code upToIndex + 1}; returns the removed segments, oldest first.
   */
  List<Long> compactUpTo(long upToIndex) {
    Long keep = segments.floorKey(Math.min(upToIndex + 1, lastIndex() + 1));
    if (keep == null || keep <= firstIndex) {
      return List.of();
    }
    List<Long> removed = new ArrayList<>(segments.headMap(keep, false).keySet());
    segments.headMap(keep, false).clear();
    int dropped = (int) (keep - firstIndex);
    count -= dropped;
    head += dropped;
    release(0, head >>> CHUNK_BITS);
    head &= MASK;
    firstIndex = keep;
    return removed;
  }

  /** Forgets every entry and segment; the next entry appended is {@code nextIndex}. */
  void reset(long nextIndex) {
    segments.clear();
    firstIndex = nextIndex;
    count = 0;
    head = 0;
    release(0, chunks.size());
  }

  /** Releases the chunks past the one that holds slot {@code end - 1}. */
  private void dropChunksAfter(int end) {
    int keep = (end + MASK) >>> CHUNK_BITS;
    if (keep < chunks.size()) {
      release(keep, chunks.size());
    }
  }

  /**
   * Moves the chunks {@code from} (inclusive) to {@code to} (exclusive) to the spares. A reused
   * chunk keeps its old bytes: an entry's slot is always written before it can be read.
   */
  private void release(int from, int to) {
    List<ByteBuffer> dropped = chunks.subList(from, to);
    spare.addAll(dropped);
    dropped.clear();
  }
}
