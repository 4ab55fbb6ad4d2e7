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
package dev.floe.raft.example;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The lab's scenarios on the demo's {@link LocalCluster}, run from the menu ({@link DemoCommand})
 * or from the live page's buttons ({@link DemoWeb}); each tells what it does through a
 * {@link Narration}: the menu prints it, the page lists it under Activity.
 *
 * <p>One scenario runs at a time, whichever side started it: the menu waits for the page's to end,
 * the page is refused while one runs ({@link #startInBackground}). Thread-safe in that sense.
 */
final class DemoScenarios implements AutoCloseable {
  /** How a scenario reports what it does. */
  interface Narration {
    /** One line of what is happening. */
    void say(String line);

    /** A line for the page alone: the menu's output stays as it was. */
    default void note(String line) {}

    /** Shows every node's status (the menu prints it; the page shows it live anyway). */
    default void showStatus() throws InterruptedException {}

    /** Shows the three values.log side by side (as {@link #showStatus}). */
    default void showValuesLogs() {}

    /** Gives the watcher time to see the state that {@code what} describes (the page waits). */
    default void pauseToWatch(String what) throws InterruptedException {}

    /** How to say "start every stopped node" here: the menu's "7", the page's button. */
    String startStoppedAction();
  }

  private final LocalCluster cluster;
  private final ClusterClient client;
  private final Semaphore busy = new Semaphore(1);
  private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "demo-scenario");
    t.setDaemon(true);
    return t;
  });
  private volatile String running;
  private int counter;

  DemoScenarios(LocalCluster cluster, ClusterClient client) {
    this.cluster = cluster;
    this.client = client;
  }

  /** A scenario's body. */
  interface Scenario {
    void run(Narration n) throws Exception;
  }

  /** The name of the scenario that runs now, or null. */
  String running() {
    return running;
  }

  /** Runs a scenario on this thread, once none other runs (the menu's way). */
  void runNow(String name, Narration n, Scenario scenario) throws Exception {
    if (!busy.tryAcquire()) {
      n.say("(waiting for the page's scenario to end: " + running + ")");
      busy.acquire();
    }
    running = name;
    try {
      scenario.run(n);
    } finally {
      running = null;
      busy.release();
    }
  }

  /**
   * Starts a scenario on the background thread unless one runs (the page's way).
   *
   * @return false if another scenario runs: nothing was started
   */
  boolean startInBackground(String name, Narration n, Scenario scenario) {
    if (!busy.tryAcquire()) {
      return false;
    }
    running = name;
    background.execute(() -> {
      try {
        scenario.run(n);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception | AssertionError e) {
        n.say(name + " failed: " + e);
      } finally {
        running = null;
        busy.release();
      }
    });
    return true;
  }

  @Override
  public void close() {
    background.shutdownNow();
  }

  // ------------------------------------------------------------------ the scenarios

  /** 1: submits the values one at a time, or three new ones if {@code values} is empty. */
  void submitValues(List<String> values, Narration n) throws InterruptedException {
    List<String> all = new ArrayList<>(values);
    if (all.isEmpty()) {
      for (int i = 0; i < 3; i++) {
        all.add(nextValue());
      }
    }
    submit(all, n);
  }

  /** 2: moves the leadership to {@code to}, or to the most up-to-date follower if null. */
  void moveLeadership(String to, Narration n) throws InterruptedException {
    try {
      String leader = client.transfer(to);
      n.say(leader + " now leads");
    } catch (ClusterClient.SubmitFailedException e) {
      n.say("transfer failed: " + e.getMessage());
    }
    n.showStatus();
  }

  /** 3: kill -9 of the leader; waits for the others to elect a new one. */
  void crashLeader(Narration n) throws InterruptedException {
    Optional<Integer> leader = leaderIndex();
    if (leader.isEmpty()) {
      n.say("no leader right now");
      return;
    }
    int l = leader.get();
    n.say("kill -9 " + cluster.id(l) + " (pid " + cluster.pid(l) + ")");
    cluster.kill(l);
    n.say("waiting for the others to elect a new leader...");
    awaitLeader();
    n.showStatus();
    Optional<Integer> now = leaderIndex();
    if (now.isPresent()) {
      n.note(cluster.id(now.get()) + " leads now");
    }
    n.say(cluster.id(l) + " stays down: submit values, then use " + n.startStoppedAction()
        + " to start it and watch it catch up.");
  }

  /**
   * 4: Floe offers no way to delete an entry from a running node's log, so this makes a follower
   * miss the last entry the honest way: it is killed, a value is committed by the two others, and
   * when it comes back its log ends one entry short; the leader finds where the logs diverge
   * (AppendEntries consistency check) and sends what is missing.
   */
  void repairFollower(Narration n) throws Exception {
    if (!allRunning()) {
      n.say("start every node first (" + n.startStoppedAction() + ")");
      return;
    }
    Optional<Integer> leader = leaderIndex();
    if (leader.isEmpty()) {
      n.say("no leader right now");
      return;
    }
    int f = (leader.get() + 1) % 3;
    n.say("kill -9 follower " + cluster.id(f) + " so that it misses the next entry");
    cluster.kill(f);
    submit(List.of(nextValue()), n);
    n.say("\n" + cluster.id(f) + " lacks the last line:");
    n.showValuesLogs();
    n.pauseToWatch(cluster.id(f) + "'s values.log, read from its disk, lacks the last line");
    n.say("\nrestarting " + cluster.id(f) + "; the leader repairs its log...");
    cluster.start(f);
    awaitCaughtUp(n);
    n.showStatus();
    n.showValuesLogs();
    n.note(cluster.id(f) + " has every entry again: its log ends like the leader's");
  }

  /** 5: stops {@code node} (a follower if -1) cleanly, writes five values, starts it again. */
  void stopAndCatchUp(int node, Narration n) throws Exception {
    if (!allRunning()) {
      n.say("start every node first (" + n.startStoppedAction() + ")");
      return;
    }
    int stopped = node >= 0 ? node : followerIndex();
    n.say("stopping " + cluster.id(stopped) + " cleanly (SIGTERM)");
    cluster.stop(stopped);
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      values.add(nextValue());
    }
    n.say("writing " + values.size() + " values while it is down");
    submit(values, n);
    n.showValuesLogs();
    n.pauseToWatch(cluster.id(stopped) + " is down and missing " + values.size() + " values");
    n.say("\nstarting " + cluster.id(stopped) + " again; it replays its own log, then "
        + "receives the rest from the leader...");
    cluster.start(stopped);
    awaitCaughtUp(n);
    n.showStatus();
    n.showValuesLogs();
    n.note(cluster.id(stopped) + " caught up");
  }

  /** 7: starts every node that is not running and waits until all caught up. */
  void startStopped(Narration n) throws Exception {
    for (int i = 0; i < 3; i++) {
      if (!cluster.isRunning(i)) {
        cluster.start(i);
        n.say("started " + cluster.id(i) + " (pid " + cluster.pid(i) + ")");
      }
    }
    awaitCaughtUp(n);
    n.showStatus();
  }

  // ------------------------------------------------------------------ helpers

  /** Whether every node runs: scenarios 4 and 5 need all three. */
  boolean allRunning() {
    for (int i = 0; i < 3; i++) {
      if (!cluster.isRunning(i)) {
        return false;
      }
    }
    return true;
  }

  /** A follower's index: the one after the leader (or n2 if none leads). */
  int followerIndex() throws InterruptedException {
    return (leaderIndex().orElse(0) + 1) % 3;
  }

  Optional<Integer> leaderIndex() throws InterruptedException {
    for (ClusterClient.ServerStatus s : client.status()) {
      if (s.status().isPresent() && s.status().get().path("role").asText().equals("leader")) {
        return Optional.of(cluster.indexOf(s.status().get().path("id").asText()));
      }
    }
    return Optional.empty();
  }

  /** Waits (at most 20 s) for a leader. */
  void awaitLeader() throws InterruptedException {
    for (int i = 0; i < 200 && leaderIndex().isEmpty(); i++) {
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  private void submit(List<String> values, Narration n) throws InterruptedException {
    for (String v : values) {
      try {
        ClusterClient.Committed c = client.submit(v);
        n.say("committed " + v + " at index " + c.index() + " (term " + c.term() + ")");
      } catch (ClusterClient.SubmitFailedException e) {
        n.say("NOT committed " + v + ": " + e.getMessage());
        return;
      }
    }
  }

  private String nextValue() {
    return "v" + (++counter);
  }

  /** Waits (at most 20 s) until every running node has applied everything the leader committed. */
  private void awaitCaughtUp(Narration n) throws InterruptedException, IOException {
    for (int i = 0; i < 200; i++) {
      long commit = -1;
      boolean behind = false;
      for (ClusterClient.ServerStatus s : client.status()) {
        if (s.status().isEmpty()) {
          behind |= cluster.isRunning(cluster.indexOf(idOf(s)));
          continue;
        }
        JsonNode node = s.status().get();
        if (node.path("role").asText().equals("leader")) {
          commit = node.path("commitIndex").asLong();
        }
      }
      if (commit >= 0 && !behind) {
        long target = commit;
        boolean all = client.status().stream().filter(s -> s.status().isPresent())
            .allMatch(s -> s.status().get().path("appliedIndex").asLong() >= target);
        if (all) {
          return;
        }
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    n.say("(some node has not caught up after 20 s)");
  }

  /** The id of the node a status came from. */
  String idOf(ClusterClient.ServerStatus s) {
    for (int i = 0; i < 3; i++) {
      if (cluster.httpUri(i).equals(s.server())) {
        return cluster.id(i);
      }
    }
    return "?";
  }
}
