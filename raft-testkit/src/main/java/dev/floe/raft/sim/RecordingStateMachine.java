package dev.floe.raft.sim;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Wraps the state machine under test and reports every application to the {@link Checker}. */
final class RecordingStateMachine implements StateMachine {
  private final NodeId node;
  private final StateMachine delegate;
  private final Checker checker;
  private long lastIndex;
  private final java.util.List<byte[]> appliedCommands = new java.util.ArrayList<>();

  RecordingStateMachine(NodeId node, StateMachine delegate, Checker checker) {
    this.node = node;
    this.delegate = delegate;
    this.checker = checker;
  }

  @Override
  public byte[] apply(long index, byte[] command) {
    if (index <= lastIndex) {
      checker.violation(node + " applied index " + index + " after " + lastIndex);
    }
    lastIndex = index;
    appliedCommands.add(command);
    byte[] result;
    try {
      result = delegate.apply(index, command);
    } catch (RuntimeException e) {
      checker.onApply(node, index, command, null);
      throw e;
    }
    checker.onApply(node, index, command, result);
    return result;
  }

  java.util.List<byte[]> appliedCommands() {
    return java.util.List.copyOf(appliedCommands);
  }

  @Override
  public byte[] query(byte[] query) {
    return delegate.query(query);
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    delegate.snapshot(out);
  }

  @Override
  public void restore(InputStream in) throws IOException {
    delegate.restore(in);
  }
}
