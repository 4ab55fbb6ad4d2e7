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
package dev.floe.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.VoteRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two transports on 127.0.0.1 that disagree about whom they may talk to: of two clusters, or one
 * that does not know the other. They exchange nothing, and each side's log says why, naming the ids
 * that disagree, once rather than on every redial.
 */
@ExtendWith(LeakCheck.class)
class ClusterIdMismatchTest {
  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final ClusterId BLUE = ClusterId.of("blue-cluster");
  private static final ClusterId GREEN = ClusterId.of("green-cluster");
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** How many refused redials each side waits for before it checks the log. */
  private static final int REDIALS = 4;

  private LogCapture logs;
  private Cluster cluster;

  @BeforeEach
  void captureLogs() {
    logs = new LogCapture();
    cluster = new Cluster();
  }

  @AfterEach
  void stop() {
    cluster.close();
    logs.close();
  }

  @Test
  void transportsOfTwoClustersExchangeNothingAndEachSideLogsBothIdsOnceNotOnEveryRedial()
      throws IOException {
    NettyTransport a = cluster.startNode(A, 0, BLUE);
    NettyTransport b = cluster.startNode(B, 0, GREEN);
    cluster.connectAll();

    // Each keeps sending to the other, so each redials after every refusal.
    await().atMost(WAIT).until(() -> {
      a.send(vote(A, B, 1));
      b.send(vote(B, A, 1));
      return a.outboundConnectionsClosed() >= REDIALS && b.outboundConnectionsClosed() >= REDIALS;
    });

    assertThat(cluster.inbox("a").received()).isEmpty();
    assertThat(cluster.inbox("b").received()).isEmpty();
    // The acceptor: the dialer's address, the node id it claims, both cluster ids.
    assertThat(logs.lines("WARN", "b: refusing connection from /127.0.0.1:", "claiming node a",
        "cluster id mismatch: found 'blue-cluster' in the handshake, expected 'green-cluster'"))
        .hasSize(1);
    assertThat(logs.lines("WARN", "a: refusing connection from /127.0.0.1:", "claiming node b",
        "cluster id mismatch: found 'green-cluster' in the handshake, expected 'blue-cluster'"))
        .hasSize(1);
    // The dialer learns it from the refusal frame.
    assertThat(logs.lines("WARN", "a: b at " + address(b) + " refuses this node's connections: "
        + "cluster id mismatch: found cluster 'green-cluster' there, expected 'blue-cluster'"))
        .hasSize(1);
    assertThat(logs.lines("WARN", "b: a at " + address(a) + " refuses this node's connections: "
        + "cluster id mismatch: found cluster 'blue-cluster' there, expected 'green-cluster'"))
        .hasSize(1);
    // The redials themselves are quiet: a refused connection is never announced as connected.
    assertThat(logs.lines("a: connected to b")).isEmpty();
    assertThat(logs.lines("a: connection to b closed")).isEmpty();
  }

  @Test
  void aRefusedDialerReachesThePeerOnceItRunsInTheSameClusterAndSaysSo() throws IOException {
    NettyTransport a = cluster.startNode(A, 0, BLUE);
    int portOfB = cluster.startNode(B, 0, GREEN).localAddress().getPort();
    cluster.connectAll();
    await().atMost(WAIT).until(() -> {
      a.send(vote(A, B, 1));
      return !logs.lines("WARN", "a: b at", "found cluster 'green-cluster' there").isEmpty();
    });

    cluster.get("b").close();
    NettyTransport b = cluster.startNode(B, portOfB, BLUE);
    b.updatePeers(cluster.addresses());

    await().atMost(WAIT).untilAsserted(() -> {
      a.send(vote(A, B, 2));
      assertThat(cluster.inbox("b").received()).extracting(RaftMessage::term).contains(2L);
    });
    await().atMost(WAIT).until(() ->
        logs.lines("a: b at", "accepts this node's connections now").size() == 1);
  }

  @Test
  void aPeerThatDoesNotKnowTheDialerRefusesItAndTheDialerSaysWhichNodeIsUnknown()
      throws IOException {
    NettyTransport a = cluster.startNode(A, 0, Cluster.CLUSTER);
    NettyTransport b = cluster.startNode(B, 0, Cluster.CLUSTER);
    a.updatePeers(Map.of(B, b.localAddress())); // b is told of no peer

    await().atMost(WAIT).until(() -> {
      a.send(vote(A, B, 1));
      return a.outboundConnectionsClosed() >= REDIALS;
    });

    assertThat(cluster.inbox("b").received()).isEmpty();
    assertThat(logs.lines("WARN", "b: refusing connection from /127.0.0.1:", "claiming node a",
        "node id a is not one of this node's peers")).hasSize(1);
    assertThat(logs.lines("WARN", "a: b at " + address(b) + " refuses this node's connections: "
        + "it (cluster 'test-cluster') does not know a as a peer")).hasSize(1);
  }

  private static VoteRequest vote(NodeId from, NodeId to, long term) {
    return new VoteRequest(from, to, term, 0, 0, false, false);
  }

  private static String address(NettyTransport t) {
    return "127.0.0.1:" + t.localAddress().getPort();
  }
}
