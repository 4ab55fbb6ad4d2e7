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

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Behaviour the golden scenarios found wrong, written as the scenario commands that showed it and
 * the outcome that Raft (or the core's own contract) calls for; each was fixed and stays here as
 * its regression test. A failure prints the full output of the commands.
 */
class ScenarioBugsTest {

  /** Runs one command per line (no input lines) and returns everything they printed. */
  private static List<String> run(String... commands) {
    ScenarioCommands runner = new ScenarioCommands();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < commands.length; i++) {
      out.add("> " + commands[i]);
      out.addAll(runner.run(new ScenarioCommand(commands[i], List.of(), i + 1)));
    }
    return out;
  }

  /**
   * Thesis §4.2.3 and §9.6: a server that has heard from a current leader within the minimum
   * election timeout grants no (pre-)vote and keeps its term; the leader itself is such a server.
   * Here n3 was partitioned away and rejoins; its pre-vote, and then its vote, reach the leader
   * before the leader's next heartbeat reaches n3. n2 refuses (it heard from n1), but n1 grants
   * both, since {@code Election.inLeaderLease} measures the time since this node last heard from
   * a leader as a follower, which for a leader is long ago. n3 wins with n1's vote and deposes a
   * healthy leader: the disruption pre-vote and check-quorum exist to prevent (etcd's leader
   * counts itself in its lease and ignores such requests).
   */
  @Test
  void aLeaderIgnoresThePreVoteAndVoteOfANodeThatRejoinsAfterAPartition() {
    List<String> out = run(
        "cluster n1 n2 n3 prevote=true checkquorum=true",
        "campaign n1 quiet",
        "stabilize quiet",
        "isolate n3",
        "run 30 quiet",
        "heal",
        // n3's pre-vote requests are delivered, the leader's heartbeats to n3 are not yet.
        "run 20 to=!n3 quiet",
        "deliver type=VoteResponse",
        "deliver type=VoteRequest",
        "deliver type=VoteResponse",
        "status n1 n3");

    assertThat(out).as(String.join("\n", out))
        .anyMatch(l -> l.startsWith("n1: LEADER t=1 "))
        .noneMatch(l -> l.startsWith("n3: LEADER"));
  }

  /** The same with check-quorum alone: a rejoining node's vote request of a higher term. */
  @Test
  void aLeaderWithCheckQuorumIgnoresTheVoteRequestOfANodeThatRejoins() {
    List<String> out = run(
        "cluster n1 n2 n3 checkquorum=true",
        "campaign n1 quiet",
        "stabilize quiet",
        "isolate n3",
        "run 30 quiet",
        "heal",
        "run 20 to=!n3 quiet",
        "status n1 n2");

    assertThat(out).as(String.join("\n", out))
        .anyMatch(l -> l.startsWith("n1: LEADER t=1 "))
        .anyMatch(l -> l.startsWith("n2: FOLLOWER t=1 "));
  }

  /**
   * The leader hint of an outcome names "the leader the refusing node knows of". A read pending
   * on a leader that steps down because a new leader's AppendEntries arrived is refused naming
   * the old leader itself: {@code Leadership.stepDown} runs before {@code RaftCore.setLeader}, and
   * {@code Reads.refuse} reads {@code s.leader}. The driver turns it into a NotLeaderException
   * whose hint sends the client back to the node that just stepped down. (Pending membership
   * changes are answered with the new leader: {@code Membership.abandonAll} is handed it.)
   */
  @Test
  void aReadRefusedWhenTheLeaderStepsDownNamesTheNewLeader() {
    List<String> out = run(
        "cluster n1 n2 n3",
        "campaign n1 quiet",
        "stabilize quiet",
        "isolate n1",
        "read-index n1",
        "campaign n2 quiet",
        "stabilize quiet",
        "heal",
        "tick n2 3",
        "stabilize");

    assertThat(out).as(String.join("\n", out))
        .anyMatch(l -> l.contains("outcome 1: rejected LEADERSHIP_LOST hint=n2 "));
  }
}
