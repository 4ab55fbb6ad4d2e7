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
import dev.floe.raft.spi.TermAndVote;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.StringJoiner;

/**
 * The compact, stable text of the scenario tests ({@link ScenarioTest}): one line per message,
 * entry list, outcome and effect, with only the fields that say something (a success shows its
 * match, a rejection its hints). Every scenario file's expected output is in this form, so a
 * change here rewrites every golden file: keep it stable.
 */
final class ScenarioFormat {
  private ScenarioFormat() {}

  // ---------------------------------------------------------------- entries

  /** An entry: {@code 3@2 "x"}, {@code 1@1 noop}, {@code 4@2 conf{voters=n1,n2 learners=n3}}. */
  static String entry(LogEntry e) {
    return e.index() + "@" + e.term() + " " + payload(e);
  }

  /** What an entry of {@code type} with {@code data} holds, as {@link #entry} shows it. */
  static String payload(EntryType type, byte[] data) {
    return payload(new LogEntry(1, 1, type, data));
  }

  private static String payload(LogEntry e) {
    return switch (e.type()) {
      case NOOP -> "noop";
      case COMMAND -> quoted(e.data());
      case CONFIGURATION -> configuration(Configuration.decode(e.data()));
      case SESSION_COMMAND -> "session{" + Commands.clientId(e.data()) + "/"
          + Commands.sequence(e.data()) + "} " + quoted(e.command());
    };
  }

  /** Entries separated by commas, or {@code none}. */
  static String entries(List<LogEntry> entries) {
    if (entries.isEmpty()) {
      return "none";
    }
    StringJoiner out = new StringJoiner(", ");
    entries.forEach(e -> out.add(entry(e)));
    return out.toString();
  }

  /** Only the terms of entries, separated by spaces, for logs that differ in terms alone. */
  static String terms(List<LogEntry> entries) {
    StringJoiner out = new StringJoiner(" ");
    entries.forEach(e -> out.add(Long.toString(e.term())));
    return entries.isEmpty() ? "(empty)" : out.toString();
  }

  /** The commands a state machine applied: {@code ["x", "y"]}. */
  static String commands(List<String> commands) {
    StringJoiner out = new StringJoiner(", ", "[", "]");
    commands.forEach(c -> out.add(quoted(c.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    return out.toString();
  }

  /** Bytes as quoted text, with anything but printable ASCII escaped as {@code \xNN}. */
  static String quoted(byte[] bytes) {
    StringBuilder out = new StringBuilder("\"");
    for (byte b : bytes) {
      if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02x", b & 0xff));
      }
    }
    return out.append('"').toString();
  }

  /** A configuration: {@code conf{voters=n1,n2,n3}}, with learners if it has any. */
  static String configuration(Configuration c) {
    if (c.isEmpty()) {
      return "conf{}";
    }
    String learners = c.learners().isEmpty() ? "" : " learners=" + ids(c.learners());
    return "conf{voters=" + ids(c.voters()) + learners + "}";
  }

  static String ids(Collection<NodeId> ids) {
    StringJoiner out = new StringJoiner(",");
    ids.forEach(id -> out.add(id.value()));
    return out.toString();
  }

  static String termAndVote(TermAndVote tv) {
    return "t=" + tv.term() + " vote=" + (tv.votedFor() == null ? "-" : tv.votedFor().value());
  }

  // ---------------------------------------------------------------- messages

  /** A message: {@code n1->n2 AppendRequest t=1 prev=0@0 commit=0 round=0 [1@1 noop]}. */
  static String message(RaftMessage m) {
    return m.from() + "->" + m.to() + " " + m.getClass().getSimpleName() + " t=" + m.term()
        + details(m);
  }

  private static String details(RaftMessage m) {
    if (m instanceof VoteRequest v) {
      return " last=" + v.lastLogIndex() + "@" + v.lastLogTerm() + (v.preVote() ? " pre" : "")
          + (v.leadershipTransfer() ? " transfer" : "");
    } else if (m instanceof VoteResponse v) {
      return (v.granted() ? " granted" : " refused") + (v.preVote() ? " pre" : "");
    } else if (m instanceof AppendRequest a) {
      return " prev=" + a.prevLogIndex() + "@" + a.prevLogTerm() + " commit=" + a.leaderCommit()
          + " round=" + a.round() + " [" + (a.entries().isEmpty() ? "" : entries(a.entries()))
          + "]";
    } else if (m instanceof AppendResponse r) {
      return appendResponse(r);
    } else if (m instanceof InstallSnapshotRequest r) {
      return " snap=" + r.snapshotIndex() + "@" + r.snapshotTerm() + " "
          + configuration(Configuration.decode(r.configuration())) + " offset=" + r.offset()
          + " bytes=" + r.chunk().length + (r.done() ? " done" : "") + " round=" + r.round();
    } else if (m instanceof InstallSnapshotResponse r) {
      return " snap=" + r.snapshotIndex() + " next=" + r.nextOffset() + (r.done() ? " done" : "")
          + " round=" + r.round();
    } else if (m instanceof TimeoutNow) {
      return "";
    } else if (m instanceof ForwardRequest f) {
      return " id=" + f.requestId() + " " + payload(f.type(), f.command())
          + (f.settledBelow() != 0 ? " settled<" + f.settledBelow() : "");
    } else if (m instanceof ForwardResponse f) {
      return " id=" + f.requestId() + (f.accepted() ? " ok " + f.index() + "@" + f.entryTerm()
          : " refused hint=" + hint(f.leaderHint()));
    } else if (m instanceof ReadIndexRequest r) {
      return " id=" + r.requestId();
    } else if (m instanceof ReadIndexResponse r) {
      return " id=" + r.requestId() + (r.accepted() ? " ok index=" + r.readIndex()
          : " refused hint=" + hint(r.leaderHint()));
    }
    throw new IllegalArgumentException("unknown message " + m);
  }

  private static String appendResponse(AppendResponse r) {
    if (r.success()) {
      return " ok match=" + r.matchIndex() + " last=" + r.lastLogIndex() + " round=" + r.round();
    }
    if (r.rejectedIndex() == 0) {
      return " stale-term last=" + r.lastLogIndex();
    }
    return " reject at=" + r.rejectedIndex() + " hint=" + r.conflictIndex() + "@"
        + r.conflictTerm() + " last=" + r.lastLogIndex() + " round=" + r.round();
  }

  private static String hint(NodeId id) {
    return id == null ? "-" : id.value();
  }

  // ---------------------------------------------------------------- outcomes and effects

  /** An answer to a request: {@code outcome 3: accepted 4@1}. */
  static String outcome(Outcome o) {
    String what;
    if (o instanceof Outcome.ProposalAccepted a) {
      what = "accepted " + a.index() + "@" + a.term();
    } else if (o instanceof Outcome.Rejected r) {
      what = "rejected " + r.refusal() + " hint=" + hint(r.leaderHint()) + " (" + r.detail() + ")";
    } else if (o instanceof Outcome.ReadIndexReady r) {
      what = "read-index " + r.readIndex();
    } else if (o instanceof Outcome.TransferCompleted t) {
      what = "transfer-completed " + t.target();
    } else if (o instanceof Outcome.Unknown u) {
      what = "unknown (" + u.reason() + ")";
    } else if (o instanceof Outcome.Unchanged) {
      what = "unchanged";
    } else {
      throw new IllegalArgumentException("unknown outcome " + o);
    }
    return "outcome " + o.requestId() + ": " + what;
  }

  /** A role change: {@code role LEADER t=2 leader=n1 (ELECTION_WON)}. */
  static String roleChange(RoleChange c) {
    return "role " + c.role() + " t=" + c.term() + " leader=" + hint(c.leader()) + " ("
        + c.reason() + ")";
  }

  /**
   * The effects of one {@link Ready}, one per line, in the order the driver carries them out:
   * role changes first (for reading), then the store's writes, the messages, the snapshot work,
   * the entries to apply and the answers. {@code note} adds to a message's line (such as why it is
   * lost).
   */
  static List<String> ready(Ready r, java.util.function.Function<RaftMessage, String> note) {
    List<String> out = new ArrayList<>();
    r.roleChanges().forEach(c -> out.add(roleChange(c)));
    if (r.resetLogTo() != 0) {
      out.add("reset-log next=" + r.resetLogTo());
    }
    if (r.truncateFrom() != 0) {
      out.add("truncate from=" + r.truncateFrom());
    }
    if (!r.entries().isEmpty()) {
      out.add("append " + entries(r.entries()));
    }
    if (r.termAndVote() != null) {
      out.add("save " + termAndVote(r.termAndVote()));
    }
    if (r.compactUpTo() != 0) {
      out.add("compact up-to=" + r.compactUpTo());
    }
    r.messages().forEach(m -> out.add("send " + message(m) + note.apply(m)));
    r.messagesAfterPersist().forEach(m -> out.add("send-after-persist " + message(m)
        + note.apply(m)));
    r.snapshotsToSend().forEach(t -> out.add("stream-snapshot to=" + t.to() + " round="
        + t.round()));
    r.snapshotChunks().forEach(c -> out.add("install-chunk snap=" + c.snapshotIndex() + "@"
        + c.snapshotTerm() + " offset=" + c.offset() + " bytes=" + c.chunk().length
        + (c.done() ? " done" : "")));
    if (!r.committedEntries().isEmpty()) {
      out.add("apply " + entries(r.committedEntries()));
    }
    r.outcomes().forEach(o -> out.add(outcome(o)));
    return out;
  }
}
