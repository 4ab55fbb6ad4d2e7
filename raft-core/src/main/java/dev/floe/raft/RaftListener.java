package dev.floe.raft;

/**
 * Told of a node's {@link NodeEvent}s: elections, membership changes, snapshots, a failure. Set it
 * with {@link RaftNodeBuilder#listener}. It is called on a thread of the node's own (started only
 * when a listener is set), one event at a time, in order; an exception it throws is logged and the
 * next event still comes.
 */
@FunctionalInterface
public interface RaftListener {
  /**
   * One event.
   *
   * @param event what happened
   */
  void onEvent(NodeEvent event);
}
