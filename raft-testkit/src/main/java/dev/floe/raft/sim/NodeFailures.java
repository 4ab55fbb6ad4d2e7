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

import dev.floe.raft.RaftStatus;
import dev.floe.raft.ReadConsistency;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Watches the nodes of a simulated cluster for failures, and judges them. A node fails when it
 * stops ({@code Role.STOPPED}: its storage failed, or an internal check found a broken invariant)
 * or when an exception escapes one of its tasks. Unless its disk injected the failure on purpose
 * ({@link SimDisk#injected}), a failure is a bug: a violation, reported with its stack trace.
 * Either way the node is crashed, so that it can be restarted like any crashed node.
 *
 * <p>Used on the simulator's one thread only.
 */
final class NodeFailures implements SimNode.FailureSink {
  private final Scheduler scheduler;
  private final Checker checker;
  private final Consumer<String> journal;
  private long unexplained;
  private long injected;

  NodeFailures(Scheduler scheduler, Checker checker, Consumer<String> journal) {
    this.scheduler = scheduler;
    this.checker = checker;
    this.journal = journal;
  }

  /** Failures that no injected fault explains so far (each one a violation). */
  long unexplained() {
    return unexplained;
  }

  /** Failures that a disk injected on purpose so far. */
  long injected() {
    return injected;
  }

  @Override
  public void thrown(SimNode node, Throwable error) {
    journal.accept("a task of " + node.id + " threw " + error + "; it crashed");
    unexplained++;
    checker.violation("node failure: a task of " + node.id + " threw " + stackTrace(error));
  }

  /**
   * Checks a running node after an event. A stopped node's status says why in a line; the failure
   * itself, with its stack trace, is the cause of the exception that a stopped node answers every
   * request with, so the node is asked something. Once it answers, the failure is judged and the
   * node crashed.
   */
  void check(SimNode n, RaftStatus status) {
    if (status.role() != dev.floe.raft.cluster.Role.STOPPED || n.failureSeen()) {
      return;
    }
    String reason = status.failure().orElse("no reason given");
    journal.accept(n.id + " stopped: " + reason);
    int incarnation = n.incarnation();
    n.failureSeen(cause -> judge(n, reason, cause));
    n.node().query(new byte[0], ReadConsistency.LOCAL).whenComplete((v, e) ->
        scheduler.schedule(0, () -> {
          if (n.isUp() && n.incarnation() == incarnation
              && n.settleFailure(e == null ? null : e.getCause() != null ? e.getCause() : e)) {
            n.crash();
          }
        }));
  }

  private void judge(SimNode n, String reason, Throwable cause) {
    if (cause != null && n.disk.injected(cause)) {
      injected++;
      return;
    }
    unexplained++;
    checker.violation("node failure: " + n.id + " stopped: " + reason + (cause == null
        ? " (crashed before its failure could be read)" : "\n" + stackTrace(cause)));
  }

  /**
   * The throwable and its causes, with their frames down to the simulator's run loop (the thread
   * pool's below are the same for every run), at most 60 lines: enough to find where it was.
   */
  static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    List<String> lines = new ArrayList<>();
    int skipped = 0;
    for (String line : out.toString().split("\\R")) {
      if (line.contains("java.util.concurrent.") || line.contains("java.lang.Thread.run")
          || lines.size() >= 60) {
        skipped++;
      } else {
        lines.add(line);
      }
    }
    return String.join("\n", lines) + (skipped > 0 ? "\n\t(" + skipped + " lines left out)" : "");
  }
}
