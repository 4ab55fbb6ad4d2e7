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

import dev.floe.raft.spi.StateMachine;
import java.util.Objects;

/**
 * A plain sequential reference implementation of the state machine under test: what every command
 * should return and every query should answer, applied one at a time in log order. The simulator
 * checks the cluster against it linearizably: every command's result (on every node, and as
 * acknowledged to the client), and every read's answer, which must be the model's answer at some
 * state between the writes that completed before the read began and those that began after it
 * ended (see {@code docs/testing.md}).
 *
 * <p>Keep it as simple as possible: a map, a list, no snapshots, no performance concerns. A new
 * model is made for every check, so it may keep its state in fields. It is called on one thread.
 */
public interface Model {

  /**
   * Applies a committed command to the model's state.
   *
   * @param index the command's log index (the state machine is given the same)
   * @param command the command's bytes
   * @return what the state machine should return for it
   */
  byte[] apply(long index, byte[] command);

  /**
   * Answers a query from the model's current state, without changing it.
   *
   * @param query the query's bytes, as the workload made them
   * @return what the state machine should answer
   */
  byte[] query(byte[] query);

  /**
   * A model that runs a state machine you trust (an earlier version, a simpler implementation):
   * {@code apply} and {@code query} are the state machine's.
   *
   * @param reference the trusted state machine; its snapshots are never used
   * @return a model that delegates to it
   */
  static Model of(StateMachine reference) {
    Objects.requireNonNull(reference, "reference");
    return new Model() {
      @Override
      public byte[] apply(long index, byte[] command) {
        return reference.apply(index, command);
      }

      @Override
      public byte[] query(byte[] query) {
        return reference.query(query);
      }
    };
  }
}
