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

import dev.floe.raft.cluster.NodeId;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class QuorumTest {

  @Test
  void majorityIsMoreThanHalf() {
    assertThat(Quorum.majority(1)).isEqualTo(1);
    assertThat(Quorum.majority(2)).isEqualTo(2);
    assertThat(Quorum.majority(3)).isEqualTo(2);
    assertThat(Quorum.majority(4)).isEqualTo(3);
    assertThat(Quorum.majority(5)).isEqualTo(3);
  }

  @Test
  void committedIndexIsTheHighestIndexAMajorityHasReached() {
    assertThat(Quorum.committedIndex(new long[] {7})).isEqualTo(7);
    assertThat(Quorum.committedIndex(new long[] {5, 1, 3})).isEqualTo(3);
    assertThat(Quorum.committedIndex(new long[] {9, 9, 1, 1})).as("4 voters need 3").isEqualTo(1);
    assertThat(Quorum.committedIndex(new long[] {2, 8, 4, 8, 6})).isEqualTo(6);
    assertThat(Quorum.committedIndex(new long[] {})).isZero();
  }

  @Test
  void committedIndexDoesNotReorderItsArgument() {
    long[] matches = {5, 1, 3};
    Quorum.committedIndex(matches);
    assertThat(matches).containsExactly(5, 1, 3);
  }

  private static VoteTally election(boolean preVote, String... voters) {
    TreeSet<NodeId> set = new TreeSet<>();
    for (String v : voters) {
      set.add(NodeId.of(v));
    }
    return new VoteTally(preVote, set);
  }

  @Test
  void electionIsWonByAMajorityOfGrants() {
    VoteTally e = election(false, "a", "b", "c");
    assertThat(e.record(NodeId.of("a"), true)).isEqualTo(VoteTally.Result.PENDING);
    assertThat(e.record(NodeId.of("b"), true)).isEqualTo(VoteTally.Result.WON);
  }

  @Test
  void electionIsLostOnceAMajorityCanNoLongerBeReached() {
    VoteTally e = election(false, "a", "b", "c", "d", "e");
    e.record(NodeId.of("a"), true);
    assertThat(e.record(NodeId.of("b"), false)).isEqualTo(VoteTally.Result.PENDING);
    assertThat(e.record(NodeId.of("c"), false)).isEqualTo(VoteTally.Result.PENDING);
    assertThat(e.record(NodeId.of("d"), false)).isEqualTo(VoteTally.Result.LOST);
  }

  @Test
  void electionCountsEachVoterOnceAndIgnoresNonVoters() {
    VoteTally e = election(false, "a", "b", "c");
    e.record(NodeId.of("a"), true);
    assertThat(e.record(NodeId.of("a"), true)).isEqualTo(VoteTally.Result.PENDING);
    assertThat(e.record(NodeId.of("x"), true)).isEqualTo(VoteTally.Result.PENDING);
    assertThat(e.record(NodeId.of("b"), false)).isEqualTo(VoteTally.Result.PENDING);
    assertThat(e.record(NodeId.of("b"), true)).as("a later change of mind is ignored").isEqualTo(VoteTally.Result.PENDING);
  }
}
