package dev.floe.raft;

import dev.floe.raft.spi.EventLoop;
import java.util.concurrent.Executor;

/** The two threads a node runs on by default: its event loop and its apply thread. */
final class NodeThreads implements AutoCloseable {
  final dev.floe.raft.spi.EventLoop loop;
  final Executor applier;
  private final LoopThread loopThread;
  private final LoopThread applyThread;

  NodeThreads(String nodeName) {
    loopThread = new LoopThread("floe-raft-" + nodeName);
    applyThread = new LoopThread("floe-apply-" + nodeName);
    loop = loopThread;
    applier = applyThread;
  }

  @Override
  public void close() throws InterruptedException {
    loopThread.close();
    applyThread.close();
  }
}
