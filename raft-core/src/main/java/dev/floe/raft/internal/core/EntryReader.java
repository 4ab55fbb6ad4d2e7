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

import dev.floe.raft.message.LogEntry;
import java.util.List;

/**
 * Where the core reads back entries it no longer keeps in memory: the node's {@code LogStore},
 * which holds every entry the core has handed to it (durable or not).
 */
@FunctionalInterface
public interface EntryReader {
  /**
   * Reads entries from {@code fromIndex} up to, not including, {@code toIndexExclusive}, stopping
   * once their sizes pass {@code maxBytes} (at least one entry if the range is not empty).
   *
   * @param fromIndex the first index
   * @param toIndexExclusive the index to stop before
   * @param maxBytes the size past which no further entry is read
   * @return the entries, in index order
   */
  List<LogEntry> read(long fromIndex, long toIndexExclusive, long maxBytes);
}
