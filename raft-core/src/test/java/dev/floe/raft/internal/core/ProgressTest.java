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

import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void acknowledgementRaisesMatchAndNextButNeverLowersThem() {
    Progress p = new Progress(5, 0);

    assertThat(p.acknowledge(3)).isTrue();
    assertThat(p.match).isEqualTo(3);
    assertThat(p.next).isEqualTo(5);

    assertThat(p.acknowledge(7)).isTrue();
    assertThat(p.match).isEqualTo(7);
    assertThat(p.next).isEqualTo(8);

    assertThat(p.acknowledge(4)).as("an old acknowledgement").isFalse();
    assertThat(p.match).isEqualTo(7);
    assertThat(p.next).isEqualTo(8);
  }

  @Test
  void acknowledgementReleasesTheInflightRequestsItCovers() {
    Progress p = new Progress(1, 0);
    p.becomeReplicate();
    p.addInflight(2, 100);
    p.addInflight(4, 100);
    p.addInflight(6, 100);
    assertThat(p.inflightFull(3, Long.MAX_VALUE)).isTrue();
    assertThat(p.inflightFull(10, 300)).as("full by bytes").isTrue();

    p.acknowledge(4);

    assertThat(p.inflightFull(2, Long.MAX_VALUE)).isFalse();
    assertThat(p.inflightFull(1, Long.MAX_VALUE)).isTrue();
    p.acknowledge(6);
    assertThat(p.hasInflight()).isFalse();
  }

  @Test
  void probeAndReplicateRestartFromMatchAndDropTheWindow() {
    Progress p = new Progress(1, 0);
    p.acknowledge(3);
    p.becomeReplicate();
    p.next = 9;
    p.addInflight(8, 10);

    p.becomeProbe();

    assertThat(p.state).isEqualTo(Progress.State.PROBE);
    assertThat(p.next).isEqualTo(4);
    assertThat(p.hasInflight()).isFalse();
    assertThat(p.probeSent).isFalse();
    assertThat(p.match).isEqualTo(3);
  }

  @Test
  void anAcknowledgementAllowsTheNextProbe() {
    Progress p = new Progress(1, 0);
    p.probeSent = true;

    p.acknowledge(0);

    assertThat(p.probeSent).isFalse();
  }
}
