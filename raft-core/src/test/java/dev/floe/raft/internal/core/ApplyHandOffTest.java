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
package dev.floe.raft.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.TermAndVote;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Committed entries reach the state machine in steps of {@link CoreConfig#maxApplyBytes()}: a node
 * with a large backlog to apply (a restart without snapshots, a follower far behind) never hands it
 * over, nor reads it back, all at once.
 */
class ApplyHandOffTest {
  private static final NodeId N1 = NodeId.of("n1");
  /** One-node cluster; 2,000 bytes in flight to a follower, so 2,000 bytes being applied. */
  private static final CoreConfig CONFIG =
      new CoreConfig(15, 30, 5, 1024, 1_000, 2, 2_000, false, false);

  private final List<LogEntry> handed = new ArrayList<>();
  private final RaftCore core = new RaftCore(N1, Configuration.ofVoters(List.of(N1)), CONFIG,
      TermAndVote.INITIAL, 0, 0, List.of(), new SplittableRandom(1), () -> 0L);

  /** Carries out the core's effects as a driver would, persisting at once and applying nothing. */
  private List<LogEntry> drain() {
    List<LogEntry> out = new ArrayList<>();
    for (Ready r = core.ready(); !r.isEmpty(); r = core.ready()) {
      out.addAll(r.committedEntries());
      for (RaftMessage m : r.messagesAfterPersist()) {
        core.step(new Event.Receive(m));
      }
    }
    handed.addAll(out);
    return out;
  }

  private static long bytes(List<LogEntry> entries) {
    return entries.stream().mapToLong(LogEntry::sizeInBytes).sum();
  }

  @Test
  void aBacklogIsHandedOverAsTheStateMachineAppliesIt() {
    for (int i = 0; i < CONFIG.electionTicksMax() && core.role() != Role.LEADER; i++) {
      core.step(new Event.Tick());
      drain();
    }
    assertThat(core.role()).isEqualTo(Role.LEADER);
    core.step(new Event.Applied(core.handedToApplyIndex()));
    handed.clear();
    List<Event.Proposal> proposals = new ArrayList<>();
    for (int i = 1; i <= 6; i++) { // 3,000 bytes: below the leader's uncommitted cap of 4,000
      proposals.add(new Event.Proposal(i, new byte[500]));
    }
    core.step(new Event.Propose(proposals));

    List<LogEntry> first = drain();

    assertThat(core.commitIndex()).isEqualTo(7);
    assertThat(bytes(first)).isLessThanOrEqualTo(CONFIG.maxApplyBytes()).isPositive();
    assertThat(core.handedToApplyIndex()).isLessThan(7);
    assertThat(drain()).as("nothing more until entries are applied").isEmpty();
    for (int step = 0; step < 20 && core.handedToApplyIndex() < 7; step++) {
      long before = core.handedToApplyIndex();
      core.step(new Event.Applied(before));
      List<LogEntry> next = drain();
      assertThat(next).isNotEmpty();
      assertThat(bytes(next)).isLessThanOrEqualTo(CONFIG.maxApplyBytes());
    }
    assertThat(handed).extracting(LogEntry::index)
        .containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
  }

  @Test
  void anEntryLargerThanTheBudgetIsHandedOverAlone() {
    for (int i = 0; i < CONFIG.electionTicksMax() && core.role() != Role.LEADER; i++) {
      core.step(new Event.Tick());
      drain();
    }
    core.step(new Event.Applied(core.handedToApplyIndex()));
    handed.clear();
    core.step(new Event.Propose(List.of(new Event.Proposal(1, new byte[5_000]))));
    assertThat(drain()).extracting(LogEntry::index).containsExactly(2L);
    core.step(new Event.Propose(List.of(new Event.Proposal(2, new byte[5_000]))));

    assertThat(drain()).as("entry 2 is still being applied").isEmpty();
    assertThat(core.commitIndex()).isEqualTo(3);
    core.step(new Event.Applied(2));
    assertThat(drain()).extracting(LogEntry::index).containsExactly(3L);
  }
}
