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

import java.util.Arrays;
import java.util.TreeSet;

/**
 * A simulated file's content, as written and as durable, at page granularity: what a force makes
 * durable, and what a power loss may keep of the pages written since (any subset of them) and of
 * a size change (either size). Bytes beyond a size read as zeros, in both versions. Not
 * thread-safe: {@link SimFileSystem} guards it.
 */
final class SimInode {
  static final int PAGE_BYTES = 4096;

  private byte[] live = new byte[0];
  private int liveSize;
  private byte[] durable = new byte[0];
  private int durableSize;
  /** Pages whose written content may differ from their durable content. */
  private final TreeSet<Integer> dirty = new TreeSet<>();

  /** What a crash did to this file. */
  record CrashOutcome(boolean keptLaterPageWithoutEarlier) {}

  int size() {
    return liveSize;
  }

  byte[] content() {
    return Arrays.copyOf(live, liveSize);
  }

  int read(byte[] into, int offset, int length, long position) {
    if (position >= liveSize) {
      return -1;
    }
    int n = (int) Math.min(length, liveSize - position);
    System.arraycopy(live, (int) position, into, offset, n);
    return n;
  }

  void write(byte[] bytes, int offset, int length, long position) {
    int end = Math.toIntExact(position + length);
    live = grow(live, end);
    System.arraycopy(bytes, offset, live, (int) position, length);
    markDirty((int) position, end);
    liveSize = Math.max(liveSize, end);
  }

  void truncate(long size) {
    if (size < liveSize) {
      Arrays.fill(live, (int) size, liveSize, (byte) 0);
      markDirty((int) size, liveSize);
      liveSize = (int) size;
    }
  }

  /** How many pages hold written content that differs from their durable content. */
  int unsyncedPages() {
    int pages = 0;
    for (int page : dirty) {
      pages += pageDiffers(page) ? 1 : 0;
    }
    return pages;
  }

  /** Makes everything written durable. */
  void force() {
    for (int page : dirty) {
      copyPage(page);
    }
    durableSize = liveSize;
    durable = grow(durable, durableSize);
    dirty.clear();
  }

  /** A power loss: keeps the pages {@code plan} chooses and one of the two sizes. */
  CrashOutcome crash(CrashPlan plan, java.nio.file.Path file) {
    boolean dropped = false;
    boolean reordered = false;
    for (int page : dirty) {
      boolean changed = pageDiffers(page);
      if (plan.keepsPage(file, page)) {
        reordered |= dropped && changed;
        copyPage(page);
      } else {
        dropped |= changed;
      }
    }
    if (durableSize != liveSize && plan.keepsNewSize(file)) {
      durableSize = liveSize;
    }
    durable = grow(durable, durableSize);
    Arrays.fill(durable, Math.min(durableSize, durable.length), durable.length, (byte) 0);
    live = Arrays.copyOf(durable, durable.length);
    liveSize = durableSize;
    dirty.clear();
    return new CrashOutcome(reordered);
  }

  /** Flips a bit at {@code offset}, in the durable and in the written content. */
  void flip(int offset) {
    live[offset] ^= 0x10;
    durable[offset] ^= 0x10;
  }

  /** A copy with the durable content only, as another machine would hold it. */
  SimInode durableCopy() {
    SimInode copy = new SimInode();
    copy.durable = Arrays.copyOf(durable, durable.length);
    copy.durableSize = durableSize;
    copy.live = Arrays.copyOf(durable, durable.length);
    copy.liveSize = durableSize;
    return copy;
  }

  private boolean pageDiffers(int page) {
    int from = page * PAGE_BYTES;
    int to = from + PAGE_BYTES;
    return !Arrays.equals(grow(live, to), from, to, grow(durable, to), from, to);
  }

  private void copyPage(int page) {
    int from = page * PAGE_BYTES;
    int to = from + PAGE_BYTES;
    live = grow(live, to);
    durable = grow(durable, to);
    System.arraycopy(live, from, durable, from, PAGE_BYTES);
  }

  private void markDirty(int from, int to) {
    for (int page = from / PAGE_BYTES; page <= (to - 1) / PAGE_BYTES && from < to; page++) {
      dirty.add(page);
    }
  }

  private static byte[] grow(byte[] bytes, int size) {
    if (bytes.length >= size) {
      return bytes;
    }
    return Arrays.copyOf(bytes, Math.max(size, bytes.length * 2));
  }
}
