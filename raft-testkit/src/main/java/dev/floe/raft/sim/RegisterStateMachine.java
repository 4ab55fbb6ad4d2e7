package dev.floe.raft.sim;

import dev.floe.raft.spi.StateMachine;

/**
 * A register: each command becomes its value and is also the result; a query returns the current
 * value (empty before the first command). The simulator's default state machine.
 */
public final class RegisterStateMachine implements StateMachine {
  private byte[] value = new byte[0];

  @Override
  public byte[] apply(long index, byte[] command) {
    value = command;
    return command;
  }

  @Override
  public byte[] query(byte[] query) {
    return value;
  }
}
