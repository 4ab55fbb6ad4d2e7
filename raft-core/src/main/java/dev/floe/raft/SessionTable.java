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
package dev.floe.raft;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The replicated record of client sessions: each client's last applied sequence and its result.
 * Only the apply thread touches it; every node builds the same table from the same log.
 */
final class SessionTable {
  /** The first application of a session command. */
  record Last(long sequence, long index, long term, ApplyResult result) {}

  private static final long EXPIRY_CHECK_EVERY = 1024;
  private final TreeMap<Long, Last> byClient = new TreeMap<>();
  private final long expiryEntries;

  SessionTable(long expiryEntries) {
    this.expiryEntries = expiryEntries;
  }

  /** The first application of this sequence if it was applied, or {@code null} if it is new. */
  Last applied(long clientId, long sequence) {
    Last last = byClient.get(clientId);
    if (last == null || sequence > last.sequence()) {
      return null;
    }
    if (sequence == last.sequence()) {
      return last;
    }
    throw new FloeException("sequence " + sequence + " of client " + clientId
        + " is older than its last applied one, " + last.sequence() + "; its result is gone");
  }

  void record(long clientId, long sequence, long index, long term, ApplyResult result) {
    byClient.put(clientId, new Last(sequence, index, term, result));
  }

  /** Forgets idle sessions; a function of the index only, so every node forgets the same ones. */
  void expire(long index) {
    if (index % EXPIRY_CHECK_EVERY != 0) {
      return;
    }
    for (Iterator<Map.Entry<Long, Last>> it = byClient.entrySet().iterator(); it.hasNext(); ) {
      if (it.next().getValue().index() < index - expiryEntries) {
        it.remove();
      }
    }
  }

  /** Writes the table (part of every snapshot, so that retries stay exactly-once). */
  void writeTo(java.io.DataOutputStream out) throws java.io.IOException {
    out.writeInt(byClient.size());
    for (Map.Entry<Long, Last> e : byClient.entrySet()) {
      Last l = e.getValue();
      out.writeLong(e.getKey());
      out.writeLong(l.sequence());
      out.writeLong(l.index());
      out.writeLong(l.term());
      if (l.result() instanceof ApplyResult.Value v) {
        out.writeByte(1);
        out.writeInt(v.bytes().length);
        out.write(v.bytes());
      } else if (l.result() instanceof ApplyResult.Failure f) {
        out.writeByte(2);
        out.writeUTF(storedMessage(f.exception().getMessage()));
      } else {
        out.writeByte(0);
      }
    }
  }

  /** Replaces the table with one written by {@link #writeTo}. */
  void readFrom(java.io.DataInputStream in) throws java.io.IOException {
    byClient.clear();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      long client = in.readLong();
      long sequence = in.readLong();
      long index = in.readLong();
      long term = in.readLong();
      int kind = in.readByte();
      ApplyResult result = ApplyResult.NONE;
      if (kind == 1) {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        result = new ApplyResult.Value(bytes);
      } else if (kind == 2) {
        result = new ApplyResult.Failure(new FloeException(in.readUTF()));
      }
      byClient.put(client, new Last(sequence, index, term, result));
    }
  }

  /** Longest failure message kept in a snapshot: at 3 bytes a char it fits writeUTF's 65,535. */
  static final int MAX_STORED_MESSAGE_CHARS = 20_000;

  /**
   * The failure message as a snapshot keeps it: cut to {@link #MAX_STORED_MESSAGE_CHARS}, so
   * that one long message cannot make every snapshot fail while its session lives.
   */
  static String storedMessage(String message) {
    String m = String.valueOf(message);
    return m.length() <= MAX_STORED_MESSAGE_CHARS ? m
        : m.substring(0, MAX_STORED_MESSAGE_CHARS) + "... (cut from " + m.length() + " chars)";
  }
}
