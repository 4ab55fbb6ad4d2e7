package dev.floe.raft;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a node's events to its listener on a thread of their own, so that neither the consensus
 * loop nor the apply thread waits for the listener. Without a listener, nothing is started and
 * events are dropped where they arise.
 */
final class EventDispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);

  private final RaftListener listener;
  private final LoopThread thread;

  EventDispatcher(NodeId self, RaftListener listener) {
    this.listener = listener;
    this.thread = listener == null ? null : new LoopThread("floe-events-" + self);
  }

  /** Whether anyone listens (so that building an event is worth it). */
  boolean listening() {
    return thread != null;
  }

  /** Queues the event for the listener; may be called from any thread. */
  void publish(NodeEvent event) {
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

  @Override
  public void close() throws InterruptedException {
    if (thread != null) {
      thread.close();
    }
  }
}
