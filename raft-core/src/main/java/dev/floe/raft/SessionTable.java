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
  record Last(long sequence, long index, long term, Object result) {}

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

  void record(long clientId, long sequence, long index, long term, Object result) {
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

  int size() {
    return byClient.size();
  }
}
