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
package dev.floe.raft.example;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.storage.file.FileLogStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * What the live page shows of one node ({@code GET /view}): its status, the tail of its Raft log
 * with each entry's term and whether it is committed, and the tail of its values.log.
 *
 * <pre>
 * {"status": {...as GET /status...},
 *  "log": {"firstIndex": 1, "lastIndex": 9, "entries": [
 *           {"index": 9, "term": 2, "committed": false, "entry": "write v7"}, ...]},
 *  "values": {"lines": 7, "tail": ["write v1", ..., "write v7"]}}
 * </pre>
 * {@code entries} are the last {@value #LOG_TAIL_ENTRIES} of the log in index order ({@code
 * firstIndex} is the first the log holds: those before it are in the snapshot); {@code committed}
 * is whether the entry's index is at most this node's commit index. {@code tail} holds the last
 * {@value #VALUES_TAIL_LINES} lines of values.log; {@code lines} is how many it has.
 *
 * <p>The log is read from the node's {@link FileLogStore}, whose reads may run on any thread
 * alongside the node's writes; the entries are read before the status, so an entry shown committed
 * is. Thread-safe.
 */
final class NodeView {
  static final int LOG_TAIL_ENTRIES = 12;
  static final int VALUES_TAIL_LINES = 12;
  /** How much of an entry's text is shown. */
  private static final int MAX_ENTRY_CHARS = 60;
  /** How much of the end of values.log is read for its tail. */
  private static final int VALUES_TAIL_BYTES = 64 * 1024;
  private static final long MAX_READ_BYTES = 4L * 1024 * 1024;

  private final RaftNode node;
  private final FileLogStore store;
  private final ValuesStateMachine values;
  private final Path valuesLog;
  private final LongSupplier snapshotIndex;

  /**
   * Creates the view.
   *
   * @param node the node
   * @param store its log store
   * @param values its values state machine (for the line count)
   * @param valuesLog its values.log
   * @param snapshotIndex the index of its latest snapshot, 0 for none
   */
  NodeView(RaftNode node, FileLogStore store, ValuesStateMachine values, Path valuesLog,
      LongSupplier snapshotIndex) {
    this.node = node;
    this.store = store;
    this.values = values;
    this.valuesLog = valuesLog;
    this.snapshotIndex = snapshotIndex;
  }

  /** The node's view now, as described above. */
  ObjectNode toJson() {
    List<LogEntry> tail = logTail();
    RaftStatus status = node.status();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.set("status", Json.status(status, node.clusterId(), snapshotIndex.getAsLong()));
    ObjectNode log = o.putObject("log");
    log.put("firstIndex", store.firstIndex());
    log.put("lastIndex", store.lastIndex());
    ArrayNode entries = log.putArray("entries");
    for (LogEntry e : tail) {
      ObjectNode entry = entries.addObject();
      entry.put("index", e.index());
      entry.put("term", e.term());
      entry.put("committed", e.index() <= status.commitIndex());
      entry.put("entry", describe(e));
    }
    o.set("values", valuesJson(valuesLog, values.lineCount()));
    return o;
  }

  /**
   * {@code {"lines", "tail"}} for a values.log: the demo shows it for a node that is down, from
   * the file it left.
   *
   * @param lines how many lines it holds, or -1 to count them from the file
   */
  static ObjectNode valuesJson(Path file, long lines) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    List<String> tail;
    try {
      tail = tailLines(file, VALUES_TAIL_LINES);
      o.put("lines", lines >= 0 ? lines : countLines(file));
    } catch (NoSuchFileException e) {
      tail = List.of();
      o.put("lines", 0);
    } catch (IOException e) {
      tail = List.of();
      o.put("lines", 0);
      o.put("error", "cannot read " + file.getFileName() + ": " + e.getMessage());
    }
    ArrayNode array = o.putArray("tail");
    tail.forEach(array::add);
    return o;
  }

  /** One entry in a few words: {@code write v3}, {@code put k}, {@code no-op}, a configuration. */
  static String describe(LogEntry e) {
    if (e.type() == EntryType.NOOP) {
      return "no-op (a new leader)";
    }
    if (e.type() == EntryType.CONFIGURATION) {
      try {
        Configuration c = Configuration.decode(e.data());
        return "configuration: voters " + ids(c.voters())
            + (c.learners().isEmpty() ? "" : ", learners " + ids(c.learners()));
      } catch (RuntimeException unreadable) {
        return "configuration";
      }
    }
    try {
      return shorten(describeCommand(e.command()));
    } catch (RuntimeException unreadable) {
      return "command of " + e.data().length + " bytes";
    }
  }

  private static String describeCommand(byte[] routed) {
    ByteBuffer in = ByteBuffer.wrap(routed);
    byte target = in.get();
    byte kind = in.get();
    if (target == CompositeStateMachine.VALUES) {
      if (kind == ValuesStateMachine.SESSION_WRITE) {
        in.position(in.position() + 16 + 8);
      }
      return "write " + StandardCharsets.UTF_8.decode(in);
    }
    if (target == CompositeStateMachine.KEY_VALUE) {
      byte[] key = new byte[Short.toUnsignedInt(in.getShort())];
      in.get(key);
      String k = new String(key, StandardCharsets.UTF_8);
      return kind == KeyValueStateMachine.PUT ? "put " + k + " (key-value store)"
          : "delete " + k + " (key-value store)";
    }
    return "command of " + routed.length + " bytes";
  }

  private List<LogEntry> logTail() {
    for (int attempt = 0; ; attempt++) {
      try {
        long last = store.lastIndex();
        long from = Math.max(store.firstIndex(), last - LOG_TAIL_ENTRIES + 1);
        List<LogEntry> read = new ArrayList<>();
        // Each read returns at least one entry: bounded by the tail's length.
        while (from <= last) {
          List<LogEntry> some = store.entries(from, last + 1, MAX_READ_BYTES);
          read.addAll(some);
          from += some.size();
        }
        return read;
      } catch (IndexOutOfBoundsException | UncheckedIOException changedMeanwhile) {
        // Compacted or truncated between two reads: read again, a few times at most.
        if (attempt == 2) {
          return List.of();
        }
      }
    }
  }

  private static String ids(java.util.Collection<NodeId> ids) {
    return ids.stream().map(NodeId::value).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String shorten(String text) {
    return text.length() <= MAX_ENTRY_CHARS ? text : text.substring(0, MAX_ENTRY_CHARS - 1) + "\u2026";
  }

  /** The last {@code count} lines of a file, reading at most its last 64 KiB. */
  private static List<String> tailLines(Path file, int count) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      long start = Math.max(0, size - VALUES_TAIL_BYTES);
      ByteBuffer buffer = ByteBuffer.allocate((int) (size - start));
      while (buffer.hasRemaining() && channel.read(buffer, start + buffer.position()) >= 0) {
        // positional reads until the buffer is full or the file ends
      }
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
      List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
      if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
        lines.remove(lines.size() - 1); // after the last line's newline
      }
      if (start > 0 && !lines.isEmpty()) {
        lines.remove(0); // cut in the middle
      }
      return List.copyOf(lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }
  }

  private static long countLines(Path file) throws IOException {
    long lines = 0;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        for (int i = 0; i < n; i++) {
          lines += buffer[i] == '\n' ? 1 : 0;
        }
      }
    }
    return lines;
  }
}
