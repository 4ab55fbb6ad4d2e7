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

import dev.floe.raft.RaftNode;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.storage.file.FileLogStore;
import dev.floe.raft.transport.netty.NettyTransport;
import dev.floe.raft.transport.netty.NettyTransportOptions;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The code of {@code docs/getting-started.md}: a three-node cluster inside one process, each node
 * with its own file store and Netty transport on 127.0.0.1, serving the {@link KeyValueStateMachine}.
 * In production each node runs in its own service; only the member list and addresses change.
 */
public final class ThreeNodesInOneProcess {
  private ThreeNodesInOneProcess() {}

  /** Starts three nodes under {@code args[0]} (or a temporary directory), writes and reads a key. */
  public static void main(String[] args) throws Exception {
    Path dataDir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("floe-");
    System.out.println(run(dataDir, 7101));
  }

  /**
   * Runs the example with Raft ports {@code firstPort}, {@code firstPort + 1} and
   * {@code firstPort + 2}; returns the value read back.
   */
  public static String run(Path dataDir, int firstPort) throws Exception {
    Map<NodeId, InetSocketAddress> addresses = Map.of(
        NodeId.of("n1"), new InetSocketAddress("127.0.0.1", firstPort),
        NodeId.of("n2"), new InetSocketAddress("127.0.0.1", firstPort + 1),
        NodeId.of("n3"), new InetSocketAddress("127.0.0.1", firstPort + 2));

    // A new cluster gets a new id, recorded in every data directory and checked on every start.
    ClusterId cluster = ClusterId.random();
    List<RaftNode> nodes = new ArrayList<>();
    try {
      for (NodeId id : addresses.keySet()) {
        RaftNode node = RaftNode.builder()
            .id(id)
            .clusterId(cluster)
            .members(List.copyOf(addresses.keySet()))
            .stateMachine(new KeyValueStateMachine())
            .transport(new NettyTransport(NettyTransportOptions.builder()
                .bindAddress(addresses.get(id))
                .peers(addresses)
                .build()))
            .logStore(new FileLogStore(dataDir.resolve(id.value())))
            .build();
        node.start();
        nodes.add(node);
      }

      // Any node takes a submit; followers forward it to the leader. The future completes once
      // the command is committed and applied on that node. Until a leader is elected, submits fail
      // fast with NotLeaderException: retry them.
      byte[] put = KeyValueStateMachine.put("greeting", "hello".getBytes(StandardCharsets.UTF_8));
      SubmitResult result = submitWithRetry(nodes.get(1), put);
      System.out.println("committed at index " + result.index() + " in term " + result.term());

      // A linearizable read sees every write that completed before it started.
      byte[] answer = nodes.get(2)
          .query(KeyValueStateMachine.get("greeting"), ReadConsistency.LINEARIZABLE)
          .get();
      return new String(answer, 1, answer.length - 1, StandardCharsets.UTF_8);
    } finally {
      nodes.forEach(RaftNode::close);
    }
  }

  private static SubmitResult submitWithRetry(RaftNode node, byte[] command) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return node.submit(command).get();
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof dev.floe.raft.NotLeaderException) || attempt == 100) {
          throw e;
        }
        Thread.sleep(50); // no leader yet: an election takes a few hundred milliseconds
      }
    }
  }
}
