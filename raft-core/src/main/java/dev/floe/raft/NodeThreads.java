package dev.floe.raft;

import dev.floe.raft.spi.EventLoop;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The two threads a node runs on by default: its event loop and its apply thread. */
final class NodeThreads implements AutoCloseable {
  final EventLoop loop;
  final ExecutorService applier;
  private final ScheduledThreadPoolExecutor loopExecutor;

  NodeThreads(String nodeName) {
    loopExecutor = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "floe-raft-" + nodeName));
    loopExecutor.setRemoveOnCancelPolicy(true);
    loopExecutor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    applier = Executors.newSingleThreadExecutor(r -> daemon(r, "floe-apply-" + nodeName));
    loop = new EventLoop() {
      @Override
      public void execute(Runnable task) {
        try {
          loopExecutor.execute(task);
        } catch (RejectedExecutionException e) {
          // shut down: tasks are dropped, as the contract allows
        }
      }

      @Override
      public Cancellable schedule(long delayMillis, Runnable task) {
        try {
          ScheduledFuture<?> f = loopExecutor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
          return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
          return () -> {};
        }
      }
    };
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() throws InterruptedException {
    loopExecutor.shutdown();
    applier.shutdown();
    loopExecutor.awaitTermination(5, TimeUnit.SECONDS);
    applier.awaitTermination(5, TimeUnit.SECONDS);
  }
}
