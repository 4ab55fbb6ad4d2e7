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

import dev.floe.raft.IdentityMismatchException;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.internal.core.CoreConfig;
import dev.floe.raft.spi.StoreIdentity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The faults at the edges around the algorithm, for {@link Simulation}'s fault phase: the ones a
 * simulator of the algorithm alone misses (see {@code RAFT-PITFALLS.md}, "At the edges").
 *
 * <ul>
 *   <li>timing: process pauses of up to several election timeouts, clocks that run fast or slow
 *       within {@link CoreConfig#MAX_CLOCK_DRIFT}, timers that fire late, messages held for
 *       seconds;
 *   <li>an operator's mistakes, each of which the node must refuse to start on: a member list edited
 *       before a restart, two machines' data directories swapped, a lost term and vote. Each is
 *       undone afterwards and the node restarted normally.
 * </ul>
 *
 * A start that succeeds where it had to be refused is a violation ("edited member list accepted",
 * "foreign data directory accepted", "lost meta taken for new"), and so is a refusal where the
 * start had to succeed, or a refusal for another reason than the one expected.
 *
 * <p>Everything is drawn from the run's one random source, and every fault ends by itself or in
 * {@link #endAll()}, so that the healed cluster can pass the liveness phase.
 */
final class EdgeFaultInjector {
  /**
   * How far a clock's rate is from 1 at most: two clocks at {@code 1 - d} and {@code 1 + d} measure
   * an interval within a factor {@code (1 - d) / (1 + d)} of each other, which must stay within
   * {@link CoreConfig#MAX_CLOCK_DRIFT} (a test checks it).
   */
  static final double MAX_RATE_OFFSET = 0.05;

  /** A client that reads through a given node, recorded for the linearizability check. */
  interface StragglerReads {
    /**
     * In {@code millis}, a client writes through another node, then reads through {@code via} (if
     * it is still up).
     */
    void readThrough(NodeId via, long millis);
  }

  private final SimCluster cluster;
  private final RaftOptions options;
  private final StragglerReads stragglers;
  private long pauses;
  private long skewedClocks;
  private long editedMemberListsRefused;
  private long swappedDirectoriesRefused;
  private long lostMetasRefused;
  private long injected;

  EdgeFaultInjector(SimCluster cluster, RaftOptions options, StragglerReads stragglers) {
    this.cluster = cluster;
    this.options = options;
    this.stragglers = stragglers;
  }

  /** Faults injected so far. */
  long injected() {
    return injected;
  }

  /** What was injected so far, with the node failures the cluster saw. */
  SimulationReport.EdgeFaults counts() {
    return new SimulationReport.EdgeFaults(pauses, skewedClocks, cluster.lateTimers(),
        cluster.messagesDelayedLong(), editedMemberListsRefused, swappedDirectoriesRefused,
        lostMetasRefused, cluster.nodeFailures());
  }

  /**
   * Gives every machine its clock rate for the run: most anywhere within the bound, a quarter at
   * one of its ends, where a lease has the least margin.
   */
  void skewClocks(RandomGenerator random) {
    for (NodeId id : cluster.ids()) {
      double offset = random.nextInt(4) == 0
          ? (random.nextBoolean() ? MAX_RATE_OFFSET : -MAX_RATE_OFFSET)
          : (random.nextDouble() * 2 - 1) * MAX_RATE_OFFSET;
      cluster.setClockRate(id, 1 + offset);
      if (offset != 0) {
        skewedClocks++;
      }
    }
  }

  /** Injects one fault at the edges, chosen at random. */
  void inject(RandomGenerator random) {
    injected++;
    int dice = random.nextInt(100);
    if (dice < 30) {
      pause(random);
    } else if (dice < 45) {
      lateTimers(random);
    } else if (dice < 60) {
      longDelays(random);
    } else if (dice < 78) {
      editedMemberList(random);
    } else if (dice < 90) {
      swappedDataDirectories(random);
    } else {
      lostTermAndVote(random);
    }
  }

  /** The liveness phase: pauses end, timers run on time, no message is held long any more. */
  void endAll() {
    cluster.resumeAll();
    cluster.timersOnTime();
    cluster.setLongDelays(0, 0, 0);
  }

  private List<NodeId> up() {
    return cluster.ids().stream().filter(cluster::isUp).toList();
  }

  private List<NodeId> down() {
    return cluster.ids().stream().filter(id -> !cluster.isUp(id)).toList();
  }

  private static <T> T pick(List<T> from, RandomGenerator random) {
    return from.get(random.nextInt(from.size()));
  }

  /**
   * Pauses the leader (half of the time) or any running node: briefly, for a few election
   * timeouts, or, now and then, for up to six of the longest. Most of the time a client that still
   * takes the paused node for the leader writes elsewhere late in the pause, then reads through the
   * paused node: its read waits with the rest, and must not miss the write a new leader took (as a
   * lease counted in ticks would, since the ticks stopped too).
   */
  private void pause(RandomGenerator random) {
    List<NodeId> up = up();
    if (up.isEmpty()) {
      return;
    }
    NodeId target = random.nextBoolean() ? cluster.leader().orElse(pick(up, random))
        : pick(up, random);
    long max = options.electionTimeoutMaxMillis();
    long millis = switch (random.nextInt(5)) {
      case 0, 1 -> 10 + random.nextLong(options.electionTimeoutMinMillis());
      case 2, 3 -> max + random.nextLong(2 * max);
      default -> 3 * max + random.nextLong(3 * max);
    };
    cluster.pause(target, millis);
    pauses++;
    // Late in the pause, when another leader may have taken over and written.
    for (int reads = random.nextInt(4); reads > 0; reads--) {
      stragglers.readThrough(target, millis / 2 + random.nextLong(millis - millis / 2));
    }
  }

  /** A spell of up to two seconds in which a node's timers fire up to an election timeout late. */
  private void lateTimers(RandomGenerator random) {
    List<NodeId> up = up();
    if (up.isEmpty()) {
      return;
    }
    NodeId target = random.nextBoolean() ? cluster.leader().orElse(pick(up, random))
        : pick(up, random);
    long maxLate = options.tickMillis()
        + random.nextLong(options.electionTimeoutMinMillis() - options.tickMillis() + 1);
    cluster.lateTimers(target, 200 + random.nextLong(1_800), maxLate);
  }

  /** Holds up to 3% of the messages for 1 to 5 s from now on, or stops holding them. */
  private void longDelays(RandomGenerator random) {
    double rate = random.nextBoolean() ? 0 : 0.002 + random.nextDouble() * 0.028;
    cluster.setLongDelays(rate, 1_000, 5_000);
  }

  /** A down machine, crashing a running one (not in {@code except}) if none is down. */
  private Optional<NodeId> crashed(List<NodeId> candidates, List<NodeId> except,
      RandomGenerator random) {
    List<NodeId> down = candidates.stream()
        .filter(id -> !cluster.isUp(id) && !except.contains(id)).toList();
    if (!down.isEmpty()) {
      return Optional.of(pick(down, random));
    }
    List<NodeId> up = candidates.stream().filter(id -> !except.contains(id)).toList();
    if (up.isEmpty()) {
      return Optional.empty();
    }
    NodeId victim = pick(up, random);
    cluster.crash(victim);
    return Optional.of(victim);
  }

  /**
   * A crashed founding member is restarted with an edited member list: a subset (often itself
   * alone, the classic one-node "cluster"), a superset, a different set, or now and then the
   * founding members reordered or the leader's voters. It must be refused unless the list is the
   * founding voters or the voters in effect on the node; then it is restarted normally.
   */
  private void editedMemberList(RandomGenerator random) {
    List<NodeId> founders = cluster.ids().stream()
        .filter(id -> cluster.founders(id).isPresent()).toList();
    Optional<NodeId> chosen = crashed(founders, List.of(), random);
    if (chosen.isEmpty()) {
      return;
    }
    NodeId target = chosen.get();
    List<NodeId> founding = cluster.founders(target).orElseThrow();
    List<NodeId> edited = edit(target, founding, random);
    SortedSet<NodeId> given = new TreeSet<>(edited);
    boolean isFounding = given.equals(new TreeSet<>(founding));
    Optional<Exception> refusal = cluster.tryRestartWithMembers(target, edited);
    if (refusal.isEmpty()) {
      SortedSet<NodeId> voters = cluster.configuration(target).voters();
      StoreIdentity identity = cluster.storeIdentity(target).orElseThrow();
      if (!isFounding && identity.bootstrap().voters().equals(given)) {
        // The disk was blank (the identity was never synced): the node rightly took the edited
        // list for a new cluster's founders. Put the blank disk back before it runs.
        cluster.wipe(target);
      } else if (isFounding || given.equals(voters)) {
        return; // rightly started: it runs on
      } else {
        cluster.violation("edited member list accepted: " + target + " started with members "
            + given + ", though founded with " + identity.bootstrap().voters()
            + " and its voters are " + voters);
        cluster.crash(target);
      }
      cluster.restart(target);
      return;
    }
    cluster.restart(target);
    SortedSet<NodeId> voters = cluster.configuration(target).voters();
    if (isFounding || given.equals(voters)) {
      cluster.violation("member list refused though it names the " + (isFounding
          ? "founding voters" : "voters in effect") + ": " + target + " with " + given + ": "
          + refusal.get());
    } else if (!(refusal.get() instanceof IllegalArgumentException)) {
      cluster.violation("edited member list refused for another reason: " + target + " with "
          + given + ": " + NodeFailures.stackTrace(refusal.get()));
    } else {
      editedMemberListsRefused++;
    }
  }

  /** An edited list of members, {@code self} among them (the builder refuses one without). */
  private List<NodeId> edit(NodeId self, List<NodeId> founding, RandomGenerator random) {
    List<NodeId> others = new ArrayList<>(founding);
    others.remove(self);
    List<NodeId> strangers = new ArrayList<>(cluster.ids());
    strangers.removeAll(founding);
    strangers.add(NodeId.of("stranger-1"));
    strangers.add(NodeId.of("stranger-2"));
    List<NodeId> out = new ArrayList<>(List.of(self));
    int kind = random.nextInt(10);
    if (others.isEmpty() && kind < 5) {
      kind = 5; // a one-node cluster has no subset to give
    }
    if (kind < 2) {
      return out; // itself alone
    } else if (kind < 4) {
      int keep = random.nextInt(others.size()); // a strict subset
      for (int i = 0; i < keep; i++) {
        out.add(others.remove(random.nextInt(others.size())));
      }
    } else if (kind < 6) {
      out.addAll(others); // a superset
      int add = 1 + random.nextInt(2);
      for (int i = 0; i < add; i++) {
        out.add(strangers.remove(random.nextInt(strangers.size())));
      }
    } else if (kind < 8 && !others.isEmpty()) {
      // As many, some of them others.
      int replaced = 1 + random.nextInt(Math.min(others.size(), strangers.size()));
      for (int i = 0; i < others.size(); i++) {
        out.add(i < replaced ? strangers.remove(random.nextInt(strangers.size())) : others.get(i));
      }
    } else if (kind == 8) {
      out.addAll(others); // the founders, in another order: it must start
      java.util.Collections.rotate(out, 1 + random.nextInt(out.size()));
    } else {
      // The leader's voters: the voters in effect on the node too, if it is up to date.
      Optional<NodeId> leader = cluster.leader();
      SortedSet<NodeId> voters = leader.map(l -> cluster.configuration(l).voters())
          .orElse(new TreeSet<>(founding));
      out = new ArrayList<>(voters);
      if (!out.contains(self)) {
        out.add(self);
      }
    }
    return out;
  }

  /**
   * The data directories of two crashed machines are swapped: each must refuse to start on the
   * other's, with an {@link IdentityMismatchException}. Then they are swapped back and both
   * restarted.
   */
  private void swappedDataDirectories(RandomGenerator random) {
    if (cluster.ids().size() < 2) {
      return;
    }
    NodeId a = crashed(cluster.ids(), List.of(), random).orElseThrow();
    NodeId b = crashed(cluster.ids(), List.of(a), random).orElseThrow();
    cluster.swapDisks(a, b);
    startOnForeignDisk(a, b);
    startOnForeignDisk(b, a);
    cluster.swapDisks(a, b);
    cluster.restart(a);
    cluster.restart(b);
  }

  private void startOnForeignDisk(NodeId who, NodeId owner) {
    Optional<Exception> refusal = cluster.tryRestart(who);
    if (refusal.isPresent()) {
      if (refusal.get() instanceof IdentityMismatchException) {
        swappedDirectoriesRefused++;
      } else {
        cluster.violation("foreign data directory refused for another reason: " + who
            + " on the directory of " + owner + ": " + NodeFailures.stackTrace(refusal.get()));
      }
      return;
    }
    StoreIdentity identity = cluster.storeIdentity(who).orElseThrow();
    if (identity.nodeId().equals(who)) {
      // The directory was blank (its identity was never synced): rightly taken for a new one.
      // Put the blank directory back before anything runs on it.
      cluster.wipe(who);
    } else {
      cluster.violation("foreign data directory accepted: " + who + " started on the data"
          + " directory of " + identity.nodeId() + " (cluster " + identity.clusterId() + ")");
      cluster.crash(who);
    }
  }

  /**
   * A crashed machine's disk loses its term and vote (if the disk can, and holds one): the start
   * must be refused with an {@link IOException}. Then the record is restored as it was and the
   * node restarted.
   */
  private void lostTermAndVote(RandomGenerator random) {
    Optional<NodeId> chosen = crashed(cluster.ids(), List.of(), random);
    if (chosen.isEmpty()) {
      return;
    }
    NodeId target = chosen.get();
    if (!cluster.loseTermAndVote(target)) {
      cluster.restart(target);
      return;
    }
    Optional<Exception> refusal = cluster.tryRestart(target);
    if (refusal.isEmpty()) {
      cluster.violation("lost meta taken for new: " + target + " started on a disk that lost its"
          + " term and vote, so it forgot whom it voted for");
      cluster.crash(target);
    } else if (refusal.get() instanceof IOException
        && !(refusal.get() instanceof IdentityMismatchException)) {
      lostMetasRefused++;
    } else {
      cluster.violation("lost meta refused for another reason: " + target + ": "
          + NodeFailures.stackTrace(refusal.get()));
    }
    cluster.restoreTermAndVote(target);
    cluster.restart(target);
  }
}
