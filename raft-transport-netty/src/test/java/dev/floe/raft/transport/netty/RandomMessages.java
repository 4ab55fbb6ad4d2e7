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

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.AppendResponse;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.ForwardRequest;
import dev.floe.raft.message.ForwardResponse;
import dev.floe.raft.message.InstallSnapshotRequest;
import dev.floe.raft.message.InstallSnapshotResponse;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.ReadIndexRequest;
import dev.floe.raft.message.ReadIndexResponse;
import dev.floe.raft.message.TimeoutNow;
import dev.floe.raft.message.VoteRequest;
import dev.floe.raft.message.VoteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random instances of every message, for property tests. */
final class RandomMessages {
  /** The number of message types; {@link #of(int, Random, NodeId, NodeId)} takes 0 to this - 1. */
  static final int TYPES = 11;

  private static final String ID_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

  private RandomMessages() {}

  /** Returns a random message of type {@code type} with random ids. */
  static RaftMessage of(int type, Random r) {
    return of(type, r, nodeId(r), nodeId(r));
  }

  /** Returns a random message of type {@code type} from {@code from} to {@code to}. */
  static RaftMessage of(int type, Random r, NodeId from, NodeId to) {
    long term = anyLong(r);
    return switch (type) {
      case 0 -> new VoteRequest(from, to, term, anyLong(r), anyLong(r), r.nextBoolean(),
          r.nextBoolean());
      case 1 -> new VoteResponse(from, to, term, r.nextBoolean(), r.nextBoolean());
      case 2 -> new AppendRequest(from, to, term, anyLong(r), anyLong(r), entries(r), anyLong(r),
          anyLong(r));
      case 3 -> new AppendResponse(from, to, term, r.nextBoolean(), anyLong(r), anyLong(r),
          anyLong(r), anyLong(r), anyLong(r), anyLong(r));
      case 4 -> new InstallSnapshotRequest(from, to, term, anyLong(r), anyLong(r), bytes(r),
          anyLong(r), bytes(r), r.nextBoolean(), anyLong(r));
      case 5 -> new InstallSnapshotResponse(from, to, term, anyLong(r), anyLong(r),
          r.nextBoolean(), anyLong(r));
      case 6 -> new TimeoutNow(from, to, term);
      case 7 -> new ForwardRequest(from, to, term, anyLong(r), bytes(r), anyLong(r));
      case 8 -> new ForwardResponse(from, to, term, anyLong(r), r.nextBoolean(), anyLong(r),
          anyLong(r), r.nextInt(3) == 0 ? null : nodeId(r));
      case 9 -> new ReadIndexRequest(from, to, term, anyLong(r));
      case 10 -> new ReadIndexResponse(from, to, term, anyLong(r), r.nextBoolean(), anyLong(r),
          r.nextInt(3) == 0 ? null : nodeId(r));
      default -> throw new IllegalArgumentException("type " + type);
    };
  }

  static NodeId nodeId(Random r) {
    int length = r.nextInt(4) == 0 ? 1 + r.nextInt(64) : 1 + r.nextInt(4);
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ID_CHARS.charAt(r.nextInt(ID_CHARS.length())));
    }
    return NodeId.of(sb.toString());
  }

  /** Mostly small values, sometimes extremes, so that both edges of every field are exercised. */
  static long anyLong(Random r) {
    return switch (r.nextInt(5)) {
      case 0 -> 0;
      case 1 -> r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
      case 2 -> r.nextLong();
      default -> r.nextInt(1_000_000);
    };
  }

  static byte[] bytes(Random r) {
    int length = switch (r.nextInt(4)) {
      case 0 -> 0;
      case 1 -> r.nextInt(4096);
      default -> r.nextInt(64);
    };
    byte[] b = new byte[length];
    r.nextBytes(b);
    return b;
  }

  static List<LogEntry> entries(Random r) {
    int count = r.nextInt(4) == 0 ? 0 : r.nextInt(40);
    long index = 1 + r.nextInt(1_000_000);
    List<LogEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      EntryType type = EntryType.values()[r.nextInt(EntryType.values().length)];
      long term = r.nextInt(10) == 0 ? Long.MAX_VALUE : 1 + r.nextInt(1000);
      entries.add(new LogEntry(index + i, term, type, bytes(r)));
    }
    return entries;
  }
}
