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

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The threads of one incarnation of a simulated node, through which every task of it runs: its
 * event loop's tasks and timers, its apply thread, its disk thread, its transport reading what came
 * in, and the application calling it for clients.
 *
 * <p>The process can be paused (a long GC pause, SIGSTOP): tasks that come due meanwhile wait in a
 * backlog, each thread's in the order they came due. Resumed, it works off the backlog the way its
 * threads would: each thread in order, the threads interleaved at random in bursts, and the loop's
 * timers late and in any order with its tasks (a loop may run what is queued before the timers
 * that came due meanwhile, as Floe's own loop thread does, or after). Then it runs on.
 *
 * <p>A task that throws kills the process (it is reported as a bug). Used on the simulator's one
 * thread only.
 */
final class SimProcess {
  /** The process's threads: each runs its tasks in order. */
  enum Lane {
    /** The event loop's tasks. */
    LOOP,
    /** The event loop's timers, which it runs in any order with its tasks. */
    TIMERS,
    /** The apply thread. */
    APPLY,
    /** The disk thread. */
    DISK,
    /** The transport, reading the messages that came in. */
    NETWORK,
    /** The application, calling the node for its clients. */
    CLIENT
  }

  private final Scheduler scheduler;
  /** Told when a task throws; the process is dead by then. */
  private final Consumer<Throwable> died;

  private boolean alive = true;
  private boolean paused;
  private long pausedUntilMicros;
  /**
   * Tells apart what was scheduled for each pause and each working-off of the backlog, so that an
   * earlier one's leftover does not act on a later one.
   */
  private int generation;
  /** Tasks that came due while paused or while the backlog is worked off, by lane. */
  private final List<ArrayDeque<Runnable>> backlog = new ArrayList<>();
  private int backlogSize;
  private boolean workingOff;
  /** The lane running a burst of its backlog, and how many more of its tasks the burst runs. */
  private int burstLane;
  private int burstLeft;

  SimProcess(Scheduler scheduler, Consumer<Throwable> died) {
    this.scheduler = scheduler;
    this.died = died;
    for (int i = 0; i < Lane.values().length; i++) {
      backlog.add(new ArrayDeque<>());
    }
  }

  /** Whether it runs tasks as they come (not paused, nothing held). */
  boolean idle() {
    return alive && !paused && backlogSize == 0;
  }

  boolean isPaused() {
    return paused;
  }

  /**
   * Runs the task, which has come due on {@code lane}: now, or after what the lane holds, once the
   * process runs again. Dropped if the process is dead.
   */
  void run(Lane lane, Runnable task) {
    if (!alive) {
      return;
    }
    if (paused || backlogSize > 0) {
      backlog.get(lane.ordinal()).addLast(task);
      backlogSize++;
      return;
    }
    runNow(task);
  }

  private void runNow(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | AssertionError e) {
      kill();
      died.accept(e);
    }
  }

  /**
   * Stops the process for {@code micros} of virtual time: nothing of it runs meanwhile; its clock
   * runs on. Extends a pause in progress if it would end later.
   */
  void pause(long micros) {
    long until = scheduler.nowMicros() + micros;
    if (!alive || (paused && until <= pausedUntilMicros)) {
      return;
    }
    paused = true;
    pausedUntilMicros = until;
    int pause = ++generation;
    workingOff = false;
    scheduler.schedule(micros, () -> {
      if (generation == pause) {
        resume();
      }
    });
  }

  /** Ends a pause now: the backlog is worked off, one task per event, then the process goes on. */
  void resume() {
    if (!alive || !paused) {
      return;
    }
    paused = false;
    generation++;
    workOff();
  }

  private void workOff() {
    if (workingOff || backlogSize == 0) {
      return;
    }
    workingOff = true;
    int current = generation;
    scheduler.schedule(0, () -> {
      if (generation != current || !alive || paused) {
        return; // the process died or paused again: what is left waits for the next resume
      }
      workingOff = false;
      if (burstLeft == 0 || backlog.get(burstLane).isEmpty()) {
        // Whichever thread gets there first: a lane with work, at random, runs a burst of it.
        List<Integer> busy = new ArrayList<>();
        for (int l = 0; l < backlog.size(); l++) {
          if (!backlog.get(l).isEmpty()) {
            busy.add(l);
          }
        }
        burstLane = busy.get(scheduler.random().nextInt(busy.size()));
        burstLeft = 1 + scheduler.random().nextInt(backlog.get(burstLane).size());
      }
      burstLeft--;
      backlogSize--;
      runNow(backlog.get(burstLane).pollFirst());
      workOff();
    });
  }

  /** The process is gone (a crash): what it held is dropped, and nothing of it runs any more. */
  void kill() {
    alive = false;
    paused = false;
    generation++;
    workingOff = false;
    backlog.forEach(ArrayDeque::clear);
    backlogSize = 0;
    burstLeft = 0;
  }
}
