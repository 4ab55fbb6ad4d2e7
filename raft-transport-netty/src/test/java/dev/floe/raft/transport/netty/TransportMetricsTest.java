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

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.ForwardRequest;
import dev.floe.raft.message.VoteRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a transport reports once bound to a metrics sink ({@link NettyTransport#bindMetrics}), on
 * real sockets on 127.0.0.1: dropped messages by reason, and the bytes queued per peer. The sink
 * only keeps what it is given ({@link NodeMetricsOverNettyTest.Recording}).
 */
@ExtendWith(LeakCheck.class)
class TransportMetricsTest {
  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String DROPPED = "floe.transport.dropped";
  private static final String QUEUED = "floe.transport.queued.bytes";

  private final NodeMetricsOverNettyTest.Recording sink = new NodeMetricsOverNettyTest.Recording();
  private final List<NettyTransport> transports = new ArrayList<>();

  @AfterEach
  void closeAll() {
    transports.forEach(NettyTransport::close);
  }

  private NettyTransport bound(NodeId id, NettyTransportOptions.Builder options, Inbox inbox)
      throws IOException {
    NettyTransport t = new NettyTransport(options.build());
    transports.add(t);
    t.bindMetrics(sink, Map.of("node", id.value()));
    t.start(Cluster.CLUSTER, id, inbox);
    return t;
  }

  private static VoteRequest vote(NodeId from, NodeId to, long term) {
    return new VoteRequest(from, to, term, 0, 0, false, false);
  }

  private long dropped(String reason) {
    return sink.count(DROPPED, "node", "a", "reason", reason);
  }

  @Test
  void droppedMessagesAreCountedByReason() throws Exception {
    NettyTransport a = bound(A, Cluster.defaults(0).maxFrameBytes(64 * 1024), new Inbox());
    // b: a port where nothing listens, so a's dials fail and it waits to redial.
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    a.updatePeers(Map.of(B, new InetSocketAddress("127.0.0.1", closedPort)));

    a.send(vote(A, NodeId.of("stranger"), 1));
    a.send(new ForwardRequest(A, B, 1, 1, new byte[100_000]));
    assertThat(dropped("unknown_peer")).isEqualTo(1);
    assertThat(dropped("oversized")).isEqualTo(1);
    await().atMost(WAIT).untilAsserted(() -> {
      a.send(vote(A, B, 2));
      assertThat(dropped("unreachable")).isPositive();
    });
    assertThat(dropped("wrong_sender")).isZero();
    assertThat(sink.counts.keySet().stream().filter(k -> k.startsWith(DROPPED + "{")))
        .as("one counter per reason").hasSize(DroppedMessages.Reason.values().length);

    a.close();
    a.send(vote(A, B, 3));
    assertThat(dropped("closed")).isPositive();
    // Summed only now that the I/O threads have stopped: before, a dial that one of the sends
    // above started may still fail meanwhile, dropping the message queued for it.
    long reported = 0;
    for (DroppedMessages.Reason r : DroppedMessages.Reason.values()) {
      reported += dropped(r.tag());
    }
    assertThat(reported).isEqualTo(a.droppedMessageCount());
  }

  @Test
  void inboundMessagesFromAnotherSenderAreCountedAsWrongSender() throws Exception {
    Inbox inbox = new Inbox();
    NettyTransport a = bound(A, Cluster.defaults(0), inbox);
    NodeId raw = NodeId.of("raw");
    a.updatePeers(Map.of(raw, new InetSocketAddress("127.0.0.1", 1)));
    try (Socket s = new Socket()) {
      s.connect(a.localAddress(), 2_000);
      OutputStream out = s.getOutputStream();
      out.write(HostileInputTest.frame(new Handshake(WireFormat.VERSION, Cluster.CLUSTER_ID,
          raw)));
      out.write(HostileInputTest.frame(vote(B, A, 1))); // claims to be b on raw's connection
      out.write(HostileInputTest.frame(vote(raw, A, 2)));
      out.flush();
      await().atMost(WAIT).until(() -> !inbox.received().isEmpty());
    }
    assertThat(inbox.received()).singleElement().extracting(m -> m.term()).isEqualTo(2L);
    assertThat(dropped("wrong_sender")).isEqualTo(1);
  }

  @Test
  void bytesQueuedForAStalledPeerShowInItsGaugeUntilThePeerIsRemoved() throws Exception {
    NettyTransport a = bound(A, Cluster.defaults(0).writeBufferWaterMarks(32 * 1024, 64 * 1024),
        new Inbox());
    // A peer that accepts connections but never reads: the kernel buffers fill, then Netty's.
    try (ServerSocket stalled = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      NodeId slow = NodeId.of("slow");
      a.updatePeers(Map.of(slow, new InetSocketAddress("127.0.0.1", stalled.getLocalPort())));
      assertThat(sink.gauge(QUEUED, "node", "a", "peer", "slow")).isZero();
      a.send(vote(A, slow, 1));
      await().atMost(WAIT).until(() -> a.isConnectedTo(slow));

      byte[] payload = new byte[16 * 1024];
      int sent = 0;
      while (sent < 4_000 && dropped("write_buffer_full") == 0) { // 64 MB at most
        a.send(new ForwardRequest(A, slow, 1, sent++, payload));
      }
      assertThat(dropped("write_buffer_full")).isPositive();
      // Sends are dropped once over the high water mark; the kernel may take some bytes since,
      // but the peer reads none, so bytes stay queued.
      assertThat(sink.gauge(QUEUED, "node", "a", "peer", "slow")).isPositive();

      a.updatePeers(Map.of());
      assertThat(sink.gauge(QUEUED, "node", "a", "peer", "slow")).isNull();
    }
  }
}
