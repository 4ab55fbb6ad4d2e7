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
package dev.floe.raft.bench.core;

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.internal.core.CoreConfig;
import dev.floe.raft.internal.core.Event;
import dev.floe.raft.internal.core.RaftCore;
import dev.floe.raft.internal.core.Ready;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.TermAndVote;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The consensus algorithm alone, with no I/O: three {@link RaftCore}s in memory, one leading. An
 * invocation proposes a batch of 100-byte commands on the leader and steps every resulting message
 * through the three cores (persistence taken as instant) until the batch is committed everywhere
 * and nothing is left to do. The score, per proposal, is the algorithm's CPU cost of committing
 * one command on all three nodes: on one machine hosting all three, an upper bound on throughput.
 *
 * <p>The in-memory logs grow (there is no compaction in the core); a new cluster is built for each
 * iteration.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class RaftCoreBenchmark {
  private static final List<NodeId> MEMBERS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private static final int MAX_PUMP_ROUNDS = 10_000;

  private final byte[] value = new byte[100];
  private final Map<NodeId, RaftCore> cores = new LinkedHashMap<>();
  private RaftCore leader;
  private long nextRequestId;
  /** The cores' clock: a tick's length passes with each tick. */
  private long nowNanos;

  /** Builds three cores and elects {@code n1} by ticking only it. */
  @Setup(Level.Iteration)
  public void elect() {
    cores.clear();
    for (NodeId id : MEMBERS) {
      cores.put(id, new RaftCore(id, Configuration.ofVoters(MEMBERS), CoreConfig.defaults(),
          TermAndVote.INITIAL, 0, 0, List.of(), new SplittableRandom(id.hashCode()),
          () -> nowNanos));
    }
    RaftCore n1 = cores.get(MEMBERS.get(0));
    for (int tick = 0; tick < 1_000 && n1.role() != Role.LEADER; tick++) {
      nowNanos += CoreConfig.defaults().tickNanos();
      n1.step(new Event.Tick());
      pump(null);
    }
    if (n1.role() != Role.LEADER) {
      throw new IllegalStateException("n1 did not become leader: " + n1);
    }
    leader = n1;
  }

  /** Carries out every core's effects until none has any; returns what the cores committed. */
  private long pump(Blackhole bh) {
    long committed = 0;
    for (int round = 0; round < MAX_PUMP_ROUNDS; round++) {
      boolean any = false;
      for (RaftCore core : cores.values()) {
        Ready ready = core.ready();
        if (ready.isEmpty()) {
          continue;
        }
        any = true;
        for (RaftMessage m : ready.messages()) {
          cores.get(m.to()).step(new Event.Receive(m));
        }
        for (RaftMessage m : ready.messagesAfterPersist()) {
          cores.get(m.to()).step(new Event.Receive(m));
        }
        List<LogEntry> done = ready.committedEntries();
        if (!done.isEmpty()) {
          committed += done.size();
          core.step(new Event.Applied(done.get(done.size() - 1).index()));
        }
        if (bh != null) {
          bh.consume(ready.outcomes());
        }
      }
      if (!any) {
        return committed;
      }
    }
    throw new IllegalStateException("the cores did not settle within " + MAX_PUMP_ROUNDS + " rounds");
  }

  private long proposeAndCommit(int batch, Blackhole bh) {
    List<Event.Proposal> proposals = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      proposals.add(new Event.Proposal(nextRequestId++, value));
    }
    leader.step(new Event.Propose(proposals));
    return pump(bh);
  }

  /** One proposal per batch. */
  @Benchmark
  public long commit1(Blackhole bh) {
    return proposeAndCommit(1, bh);
  }

  /** 64 proposals per batch (score per proposal). */
  @Benchmark
  @OperationsPerInvocation(64)
  public long commit64(Blackhole bh) {
    return proposeAndCommit(64, bh);
  }
}
