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

/**
 * A single-threaded executor with timers, on which a node runs its consensus algorithm. Production
 * uses a dedicated thread; the simulator uses virtual time, which is what makes a run replayable.
 *
 * <h2>Contract</h2>
 * Tasks run one at a time, never concurrently, and in the order {@link #execute} was called. A task
 * must not block. Both methods may be called from any thread and never throw; once the loop is shut
 * down, tasks are silently dropped.
 */
public interface EventLoop {

  /**
   * Runs the task on the loop, after every task submitted before it.
   *
   * @param task the task
   */
  void execute(Runnable task);

  /**
   * Runs the task on the loop once {@code delayMillis} have passed.
   *
   * @param delayMillis the delay, in milliseconds
   * @param task the task
   * @return a handle that cancels the task if it has not started
   */
  Cancellable schedule(long delayMillis, Runnable task);

  /**
   * Whether the calling thread is the loop's own (so that a caller can avoid waiting for the loop
   * from inside it). The default says no, which is right for a loop that nobody calls from inside.
   *
   * @return whether the caller runs on this loop
   */
  default boolean inLoop() {
    return false;
  }

  /** A scheduled task that can be cancelled. */
  interface Cancellable {
    /** Cancels the task if it has not run yet. */
    void cancel();
  }
}
