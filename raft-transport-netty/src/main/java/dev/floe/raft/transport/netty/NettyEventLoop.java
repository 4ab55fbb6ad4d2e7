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
package dev.floe.raft.transport.netty;

import dev.floe.raft.spi.EventLoop;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One of the transport's Netty I/O threads, as the node's consensus event loop: the channels the
 * node's messages arrive and leave on are registered on it, so a received message steps the node
 * and the node's messages are written without a thread hand-off. Tasks submitted once the loop
 * shut down are dropped, as the {@link EventLoop} contract allows.
 */
final class NettyEventLoop implements EventLoop {
  private final io.netty.channel.EventLoop loop;

  NettyEventLoop(io.netty.channel.EventLoop loop) {
    this.loop = loop;
  }

  io.netty.channel.EventLoop netty() {
    return loop;
  }

  @Override
  public void execute(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      // shut down: dropped
    }
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    try {
      ScheduledFuture<?> f = loop.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    } catch (RejectedExecutionException e) {
      return () -> { };
    }
  }

  @Override
  public boolean inLoop() {
    return loop.inEventLoop();
  }
}
