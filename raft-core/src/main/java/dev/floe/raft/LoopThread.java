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
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that runs tasks in order, with timers: a node's event loop, or its apply thread.
 *
 * <p>Built for the hot path of a node, where a task is handed over for every batch of messages:
 * a lock-free queue, and a wake-up ({@code unpark}) only when the thread is parked, rather than the
 * lock, condition signal and heap of a {@code ScheduledThreadPoolExecutor}. Timers are rare (a tick
 * every few milliseconds) and live in a heap that only the loop thread touches.
 */
final class LoopThread implements EventLoop, Executor, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LoopThread.class);

  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** Loop thread only. */
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private long timerSequence;
  private volatile boolean sleeping;
  private volatile boolean running = true;

  private static final class Timer implements Comparable<Timer>, Cancellable {
    final long dueNanos;
    final Runnable task;
    /** Set on the loop thread: timers due at the same moment run in the order scheduled. */
    long sequence;
    volatile boolean cancelled;

    Timer(long dueNanos, Runnable task) {
      this.dueNanos = dueNanos;
      this.task = task;
    }

    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(dueNanos - o.dueNanos, 0);
      return c != 0 ? c : Long.compare(sequence, o.sequence);
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  LoopThread(String name) {
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void execute(Runnable task) {
    if (!running) {
      return; // shut down: dropped, as the contract allows
    }
    tasks.offer(task);
    if (sleeping) {
      LockSupport.unpark(thread);
    }
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    Timer timer = new Timer(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis), task);
    execute(() -> {
      timer.sequence = timerSequence++;
      timers.add(timer);
    });
    return timer;
  }

  private void run() {
    while (running) {
      Runnable task;
      int ran = 0;
      while (ran < 1024 && (task = tasks.poll()) != null) {
        runSafely(task);
        ran++;
      }
      long waitNanos = runDueTimers();
      if (tasks.isEmpty() && running) {
        sleeping = true;
        if (tasks.isEmpty() && running) {
          LockSupport.parkNanos(this, waitNanos);
        }
        sleeping = false;
      }
    }
  }

  /** Runs the timers that are due; returns how long until the next one (or a long wait). */
  private long runDueTimers() {
    long now = System.nanoTime();
    Timer next;
    while ((next = timers.peek()) != null && next.dueNanos - now <= 0) {
      timers.poll();
      if (!next.cancelled) {
        runSafely(next.task);
      }
    }
    return next == null ? TimeUnit.SECONDS.toNanos(1) : Math.max(1, next.dueNanos - now);
  }

  private void runSafely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      log.error("{}: a task failed", thread.getName(), e);
    }
  }

  @Override
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Stops the thread once the task running now ends; later tasks are dropped. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    LockSupport.unpark(thread);
    if (Thread.currentThread() != thread) {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    }
  }
}
