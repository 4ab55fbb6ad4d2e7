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

import dev.floe.raft.spi.EventLoop;
import java.util.concurrent.Executor;

/**
 * The threads a node starts itself: always its apply thread, and its event loop unless it runs on
 * one it was given (the transport's I/O thread, or the simulator's virtual time).
 */
final class NodeThreads implements AutoCloseable {
  final EventLoop loop;
  final Executor applier;
  /** The loop thread this object started, or {@code null} if the loop is someone else's. */
  private final LoopThread loopThread;
  private final LoopThread applyThread;

  /**
   * @param givenLoop the loop to run on, or {@code null} to start one
   */
  NodeThreads(String nodeName, EventLoop givenLoop) {
    loopThread = givenLoop == null ? new LoopThread("floe-raft-" + nodeName) : null;
    applyThread = new LoopThread("floe-apply-" + nodeName);
    loop = givenLoop == null ? loopThread : givenLoop;
    applier = applyThread;
  }

  @Override
  public void close() throws InterruptedException {
    if (loopThread != null) {
      loopThread.close();
    }
    applyThread.close();
  }
}
