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

/** How committed entries go to the state machine: in steps bounded in bytes. */
final class ApplyHandOff {
  private ApplyHandOff() {}

  /**
   * The committed entries to hand to the state machine now: all of them, unless those handed and
   * not yet applied would pass {@link CoreConfig#maxApplyBytes()}; the rest follow as entries are
   * applied ({@link Event.Applied}). At least one entry goes when nothing is being applied.
   */
  static List<LogEntry> next(RaftState s) {
    if (s.commitIndex <= s.handedToApplyIndex) {
      return List.of();
    }
    long from = s.handedToApplyIndex + 1;
    long end = s.commitIndex;
    // Commonly everything committed fits (one subtraction); else the longest prefix that does.
    if (s.log.bytesBetween(s.appliedIndex, end) > s.config.maxApplyBytes()) {
      long applying = s.log.bytesBetween(s.appliedIndex, s.handedToApplyIndex);
      end = s.log.lastIndexWithin(from, end, s.config.maxApplyBytes() - applying);
      if (end < from) {
        if (applying > 0) {
          return List.of();
        }
        end = from;
      }
    }
    s.handedToApplyIndex = end;
    return s.log.range(from, end);
  }
}
