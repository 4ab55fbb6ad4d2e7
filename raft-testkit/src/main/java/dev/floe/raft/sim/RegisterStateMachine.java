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

  @Override
  public void snapshot(java.io.OutputStream out) throws java.io.IOException {
    java.io.DataOutputStream d = new java.io.DataOutputStream(out);
    d.writeInt(value.length);
    d.write(value);
    d.flush();
  }

  @Override
  public void restore(java.io.InputStream in) throws java.io.IOException {
    java.io.DataInputStream d = new java.io.DataInputStream(in);
    byte[] v = new byte[d.readInt()];
    d.readFully(v);
    value = v;
  }
}
