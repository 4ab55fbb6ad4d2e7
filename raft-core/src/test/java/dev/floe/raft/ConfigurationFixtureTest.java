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
package dev.floe.raft;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The encoded cluster configuration ({@link Configuration#encode}), as configuration entries of
 * the log, snapshot meta files and the identity file hold it, against a checked-in fixture.
 */
class ConfigurationFixtureTest {
  private static final String FIXTURE = "configuration-v1.bin";
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  /** Two voters (one without an address) and a learner whose address is not ASCII. */
  private static Configuration value() {
    return Configuration.ofVoters(List.of(N1, N2))
        .withLearner(N1, "10.0.0.1:7001")
        .withLearner(N3, "hôte-3:7003");
  }

  @BeforeAll
  static void regenerateIfAsked() {
    FormatFixtures.regenerateIfAsked(FIXTURE, value().encode());
  }

  @Test
  void theCheckedInBytesDecodeToTheConfiguration() {
    Configuration c = Configuration.decode(FormatFixtures.read(FIXTURE));

    assertThat(c.voters()).containsExactly(N1, N2);
    assertThat(c.learners()).containsExactly(N3);
    assertThat(c.addresses()).isEqualTo(Map.of(N1, "10.0.0.1:7001", N3, "hôte-3:7003"));
    assertThat(c.address(N2)).isEmpty();
  }

  @Test
  void todaysEncoderWritesTheSameBytes() {
    FormatFixtures.assertUnchanged(FIXTURE, value().encode(),
        "Configuration's version byte (Configuration.VERSION)");
  }

  /**
   * The layout, read with offsets of its own rather than the decoder: a version byte, then voters
   * and learners, each an int32 count followed by (id, address) pairs of UTF-8 text with an
   * unsigned int16 length, in id order.
   */
  @Test
  void theBytesAreLaidOutAsDescribed() {
    ByteBuffer b = ByteBuffer.wrap(FormatFixtures.read(FIXTURE));

    assertThat(b.get()).as("version").isEqualTo((byte) 1);
    assertThat(b.getInt()).as("voters").isEqualTo(2);
    assertThat(text(b)).isEqualTo("n1");
    assertThat(text(b)).isEqualTo("10.0.0.1:7001");
    assertThat(text(b)).isEqualTo("n2");
    assertThat(text(b)).isEmpty();
    assertThat(b.getInt()).as("learners").isEqualTo(1);
    assertThat(text(b)).isEqualTo("n3");
    assertThat(text(b)).isEqualTo("hôte-3:7003");
    assertThat(b.hasRemaining()).as("trailing bytes").isFalse();
  }

  private static String text(ByteBuffer b) {
    byte[] bytes = new byte[Short.toUnsignedInt(b.getShort())];
    b.get(bytes);
    return new String(bytes, UTF_8);
  }
}
