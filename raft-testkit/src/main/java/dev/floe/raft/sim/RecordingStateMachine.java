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
package dev.floe.raft.sim;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Wraps the state machine under test: reports every application to the {@link Checker}, and every
 * exception the state machine throws; checks that each snapshot it takes restores to the state it
 * was taken from.
 */
final class RecordingStateMachine implements StateMachine {
  private final NodeId node;
  private final StateMachine delegate;
  private final Checker checker;
  private final StateChecks checks;
  private long lastIndex;
  private final java.util.List<byte[]> appliedCommands = new java.util.ArrayList<>();

  RecordingStateMachine(NodeId node, StateMachine delegate, Checker checker, StateChecks checks) {
    this.node = node;
    this.delegate = delegate;
    this.checker = checker;
    this.checks = checks;
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
      checker.stateMachineThrew(node, "applying index " + index, e);
      checker.onApply(node, index, command, null);
      throw e;
    }
    checker.onApply(node, index, command, result);
    return result;
  }

  java.util.List<byte[]> appliedCommands() {
    return java.util.List.copyOf(appliedCommands);
  }

  /** The digest of the state now (see {@link StateChecks#digest}), or null if there is none. */
  byte[] digest() throws IOException {
    return checks.digest(delegate);
  }

  @Override
  public byte[] query(byte[] query) {
    try {
      return delegate.query(query);
    } catch (RuntimeException e) {
      checker.stateMachineThrew(node, "answering a query " + Bytes.show(query), e);
      throw e;
    }
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    byte[] image;
    try {
      image = StateChecks.snapshotBytes(delegate);
    } catch (IOException | RuntimeException e) {
      checker.stateMachineThrew(node, "taking a snapshot after index " + lastIndex, e);
      throw e;
    }
    out.write(image);
    String problem = checks.roundTrip(delegate, image);
    if (problem != null) {
      checker.violation("snapshot round trip: " + node + "'s snapshot after index " + lastIndex
          + " does not restore its state: " + problem);
    }
  }

  @Override
  public void restore(InputStream in) throws IOException {
    try {
      delegate.restore(in);
    } catch (IOException | RuntimeException e) {
      checker.stateMachineThrew(node, "restoring a snapshot", e);
      throw e;
    }
  }
}
