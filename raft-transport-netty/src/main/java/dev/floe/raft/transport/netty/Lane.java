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
package dev.floe.raft.transport.netty;

import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.ForwardRequest;
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.RaftMessage;

/**
 * Which of the two connections to a peer a message travels on. Bulk data (entries, snapshot
 * chunks, large forwarded commands) goes on its own connection, so that a heartbeat, a vote or an
 * answer never waits behind a 16 MiB AppendEntries in a socket buffer, and a bulk connection over
 * its write-buffer limit drops only bulk data (which Raft resends), never the control messages
 * that keep a leader in office.
 *
 * <p>Every AppendEntries that carries entries takes the bulk lane, small ones too, so that entries
 * to a follower stay in order; heartbeats (AppendEntries without entries) take the control lane,
 * and since they confirm only what the follower acknowledged, it does not matter that they may
 * overtake entries.
 */
enum Lane {
  /** Votes, heartbeats, every answer, TimeoutNow, reads, small forwarded commands. */
  CONTROL(0),
  /** AppendEntries with entries, snapshot chunks, forwarded commands over 64 KiB. */
  BULK(1);

  /** Above this many bytes a forwarded command goes on the bulk lane. */
  static final int LARGE_FORWARD_BYTES = 64 * 1024;

  final int code;

  Lane(int code) {
    this.code = code;
  }

  /** The lane {@code m} travels on. */
  static Lane of(RaftMessage m) {
    if (m instanceof AppendRequest a) {
      return a.entries().isEmpty() ? CONTROL : BULK;
    }
    if (m instanceof InstallSnapshotRequest) {
      return BULK;
    }
    if (m instanceof ForwardRequest f && f.command().length > LARGE_FORWARD_BYTES) {
      return BULK;
    }
    return CONTROL;
  }

  /**
   * The lane with the given code.
   *
   * @throws IllegalArgumentException if no lane has it
   */
  static Lane fromCode(int code) {
    return switch (code) {
      case 0 -> CONTROL;
      case 1 -> BULK;
      default -> throw new IllegalArgumentException("unknown lane " + code);
    };
  }
}
