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
package dev.floe.raft.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The replicated application: Floe applies every committed command to it, in log order, on every
 * node.
 *
 * <h2>Determinism</h2>
 * {@link #apply} must depend only on the state machine's state and the command: no clock, no
 * randomness, no local files read back. Every node then computes the same state and results.
 *
 * <h2>Threading</h2>
 * All methods are called by one thread at a time, the node's apply thread, never concurrently and
 * never on the consensus event loop, so a slow apply does not stall replication (but does delay
 * the results of later commands).
 *
 * <h2>Lifecycle</h2>
 * A state machine starts empty. When a node starts, Floe rebuilds its state: {@link #restore} from
 * the latest snapshot if there is one, then {@code apply} for every committed entry after it. The
 * same happens if the node later installs a snapshot sent by the leader. Side effects outside the
 * state (such as a file the state machine writes) must therefore tolerate being produced again,
 * for instance by being rebuilt whenever {@code restore} is called or the first entry is applied.
 */
public interface StateMachine {

  /**
   * Applies a committed command.
   *
   * @param index the command's log index; strictly increasing from call to call
   * @param command the command bytes, as submitted; the array may be the log's own copy, so read
   *     it and do not change it
   * @return the result handed to the submitter (may be empty, not {@code null})
   * @throws RuntimeException if the command is invalid; the exception is handed to the submitter
   *     and the node goes on. Because the state machine is deterministic, every node throws.
   */
  byte[] apply(long index, byte[] command);

  /**
   * Answers a read-only query against the current state. Called on the apply thread once the state
   * includes everything the query's consistency level demands.
   *
   * @param query the query bytes
   * @return the answer
   * @throws UnsupportedOperationException if the state machine serves no queries (the default)
   */
  default byte[] query(byte[] query) {
    throw new UnsupportedOperationException(getClass().getName() + " does not serve queries");
  }

  /**
   * Writes a point-in-time image of the state, covering exactly the commands applied so far.
   *
   * @param out where the image goes; the caller closes it
   * @throws IOException if writing fails
   * @throws UnsupportedOperationException if the state machine cannot snapshot (the default)
   */
  default void snapshot(OutputStream out) throws IOException {
    throw new UnsupportedOperationException(getClass().getName() + " does not take snapshots");
  }

  /**
   * Replaces the whole state with an image written by {@link #snapshot}.
   *
   * @param in the image; the caller closes it
   * @throws IOException if reading fails or the image is invalid
   * @throws UnsupportedOperationException if the state machine cannot snapshot (the default)
   */
  default void restore(InputStream in) throws IOException {
    throw new UnsupportedOperationException(getClass().getName() + " does not take snapshots");
  }
}
