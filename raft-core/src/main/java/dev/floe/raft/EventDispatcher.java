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

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.internal.core.RoleChange;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node tells its operator: role and membership changes are logged at INFO, and every event
 * goes to the listener on a thread of its own, so that neither the consensus loop nor the apply
 * thread waits for the listener. Without a listener, nothing is started and events are dropped
 * where they arise.
 */
final class EventDispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);

  private final NodeId self;
  private final NodeMetrics metrics;
  private final RaftListener listener;
  private final LoopThread thread;

  EventDispatcher(NodeId self, RaftListener listener, NodeMetrics metrics) {
    this.self = self;
    this.metrics = metrics;
    this.listener = listener;
    this.thread = listener == null ? null : new LoopThread("floe-events-" + self);
  }

  /** Whether anyone listens or measures (so that building an event is worth it). */
  boolean listening() {
    return thread != null || metrics.enabled;
  }

  /** The node's meters. */
  NodeMetrics metrics() {
    return metrics;
  }

  /** Queues the event for the listener; may be called from any thread. */
  void publish(NodeEvent event) {
    if (metrics.enabled) {
      metrics.snapshot(event);
    }
    if (thread == null) {
      return;
    }
    thread.execute(() -> {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        log.warn("{}: the listener failed on {}", event.node(), event, e);
      }
    });
  }

  /** The core changed this node's role. */
  void roleChanged(RoleChange c) {
    metrics.roleChanged(c);
    String why = switch (c.reason()) {
      case ELECTION_TIMEOUT -> "no leader was heard within the election timeout";
      case PRE_VOTE_WON -> "a majority granted the pre-vote";
      case LEADERSHIP_TRANSFER -> "the leader handed its leadership over";
      case ELECTION_WON -> "a majority voted for it";
      case ELECTION_LOST -> "its campaign cannot win";
      case HIGHER_TERM -> "a message of a higher term arrived";
      case LEADER_DISCOVERED -> "it heard from the leader of its term";
      case CHECK_QUORUM -> "it did not hear from a majority within an election timeout";
      case REMOVED -> "its removal from the configuration committed";
    };
    log.info("{}: {} in term {}{} ({})", self, c.role().name().toLowerCase(Locale.ROOT), c.term(),
        c.leader() == null || c.leader().equals(self) ? "" : ", leader " + c.leader(), why);
    publish(new NodeEvent.RoleChanged(self, c.role(), c.term(), Optional.ofNullable(c.leader()),
        NodeEvent.Reason.valueOf(c.reason().name())));
  }

  /** A configuration took effect on this node (when its entry was appended or installed). */
  void membershipChanged(Configuration configuration, long index) {
    log.info("{}: configuration {} (entry {})", self, configuration, index);
    publish(new NodeEvent.MembershipChanged(self, configuration, index));
  }

  @Override
  public void close() throws InterruptedException {
    if (thread != null) {
      thread.close();
    }
  }
}
