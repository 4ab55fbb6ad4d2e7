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
package dev.floe.consumer;

import dev.floe.raft.CommitUnknownException;
import dev.floe.raft.NotLeaderException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SessionRequest;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.storage.file.FileLogStore;
import dev.floe.raft.storage.file.FileSnapshotStore;
import dev.floe.raft.transport.netty.NettyTransport;
import dev.floe.raft.transport.netty.NettyTransportOptions;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What an application does with Floe, from the published jars only: three nodes on 127.0.0.1,
 * each with its own directory of real files; elect a leader, submit commands, read them back
 * through another node, close, start the three again from their files and read the same state.
 * It also checks that Floe's jars say their version and that Netty is the line the application
 * chose.
 *
 * <p>Arguments: the data directory, the expected Floe version, the expected Netty version. Exits
 * 0 when every check passes, 1 when one fails, 2 when the whole run takes longer than its bound.
 */
public final class ConsumerMain {
  private static final int COMMANDS = 50;
  private static final Duration RUN_BOUND = Duration.ofSeconds(90);
  private static final Duration SUBMIT_BOUND = Duration.ofSeconds(20);

  private ConsumerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: ConsumerMain <data-dir> <floe-version> <netty-version>");
      System.exit(1);
    }
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(RUN_BOUND.toMillis());
        System.err.println("FAIL: the run took longer than " + RUN_BOUND);
        Runtime.getRuntime().halt(2);
      } catch (InterruptedException e) {
        // finished in time
      }
    }, "consumer-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      run(Path.of(args[0]), args[1], args[2]);
      System.out.println("PASS: Floe " + args[1] + " from the published jars, Netty " + args[2]);
    } catch (Exception | AssertionError e) {
      System.err.println("FAIL: " + e);
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run(Path dataDir, String floeVersion, String nettyVersion) throws Exception {
    checkVersions(floeVersion, nettyVersion);
    ClusterId cluster = ClusterId.random();
    List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));

    List<RaftNode> nodes = startAll(cluster, ids, dataDir);
    try {
      long clientId = System.nanoTime();
      for (int i = 1; i <= COMMANDS; i++) {
        // Through a different node each time: followers forward to the leader.
        RaftNode via = nodes.get(i % nodes.size());
        SubmitResult r = submitInSession(via, Counter.add(i), new SessionRequest(clientId, i));
        check(r.index() > 0, "command " + i + " has no log index");
      }
      long expected = (long) COMMANDS * (COMMANDS + 1) / 2;
      long read = readCounter(nodes.get(2));
      check(read == expected, "linearizable read gave " + read + ", expected " + expected);
      System.out.println("three nodes agreed on " + read + " after " + COMMANDS + " commands");
    } finally {
      nodes.forEach(RaftNode::close);
    }

    // The same directories, new processes in all but name: the state comes back from the files.
    List<RaftNode> restarted = startAll(cluster, ids, dataDir);
    try {
      long expected = (long) COMMANDS * (COMMANDS + 1) / 2;
      long read = readCounter(restarted.get(0));
      check(read == expected, "after restart, read " + read + ", expected " + expected);
      System.out.println("after a restart from the files, read " + read);
    } finally {
      restarted.forEach(RaftNode::close);
    }
  }

  /** Floe's jars carry their version; the Netty on the class path is the application's. */
  private static void checkVersions(String floeVersion, String nettyVersion) {
    for (Class<?> c : List.of(RaftNode.class, FileLogStore.class, NettyTransport.class)) {
      String version = c.getPackage().getImplementationVersion();
      check(floeVersion.equals(version),
          c.getName() + " says Implementation-Version " + version + ", expected " + floeVersion);
      System.out.println(c.getPackage().getImplementationTitle() + " " + version + " from "
          + c.getProtectionDomain().getCodeSource().getLocation());
    }
    String netty = io.netty.util.Version.identify().get("netty-common").artifactVersion();
    check(nettyVersion.equals(netty), "Netty " + netty + " on the class path, expected "
        + nettyVersion);
    System.out.println("Netty " + netty);
  }

  private static List<RaftNode> startAll(ClusterId cluster, List<NodeId> ids, Path dataDir)
      throws IOException {
    Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
    for (NodeId id : ids) {
      addresses.put(id, new InetSocketAddress("127.0.0.1", freePort()));
    }
    List<RaftNode> nodes = new ArrayList<>();
    try {
      for (NodeId id : ids) {
        Path dir = dataDir.resolve(id.value());
        RaftNode node = RaftNode.builder()
            .id(id)
            .clusterId(cluster)
            .members(ids)
            .stateMachine(new Counter())
            .transport(new NettyTransport(NettyTransportOptions.builder()
                .bindAddress(addresses.get(id))
                .peers(addresses)
                .build()))
            .logStore(new FileLogStore(dir))
            // A snapshot every 20 entries: the run takes some, and the restart restores one.
            .snapshots(new FileSnapshotStore(dir.resolve("snapshots")),
                new SnapshotOptions(20, 5, 64 * 1024))
            .build();
        nodes.add(node);
        node.start();
      }
      return nodes;
    } catch (IOException | RuntimeException e) {
      nodes.forEach(RaftNode::close);
      throw e;
    }
  }

  /**
   * Submits until the command is applied: while no leader is known (at start) the node refuses
   * with NotLeaderException, and a leader change can leave a submit's fate unknown. The session
   * makes the retry safe: the cluster applies the command once whatever the number of copies.
   */
  private static SubmitResult submitInSession(RaftNode node, byte[] command,
      SessionRequest session) throws Exception {
    long deadline = System.nanoTime() + SUBMIT_BOUND.toNanos();
    while (true) {
      try {
        return node.submit(command, session).get(SUBMIT_BOUND.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        boolean retryable = e.getCause() instanceof NotLeaderException
            || e.getCause() instanceof CommitUnknownException;
        if (!retryable || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20); // an election takes a few hundred milliseconds: pace the retries
      }
    }
  }

  /** A linearizable read, retried while the cluster has no leader (right after a start). */
  private static long readCounter(RaftNode node) throws Exception {
    long deadline = System.nanoTime() + SUBMIT_BOUND.toNanos();
    while (true) {
      try {
        byte[] answer = node.query(new byte[0], ReadConsistency.LINEARIZABLE)
            .get(SUBMIT_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        return ByteBuffer.wrap(answer).getLong();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof NotLeaderException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void check(boolean condition, String failure) {
    if (!condition) {
      throw new AssertionError(failure);
    }
  }

  /** The replicated state: one long, to which each command adds its 8-byte amount. */
  static final class Counter implements StateMachine {
    private long total;

    static byte[] add(long amount) {
      return ByteBuffer.allocate(Long.BYTES).putLong(amount).array();
    }

    @Override
    public byte[] apply(long index, byte[] command) {
      total += ByteBuffer.wrap(command).getLong();
      return ByteBuffer.allocate(Long.BYTES).putLong(total).array();
    }

    @Override
    public byte[] query(byte[] query) {
      return ByteBuffer.allocate(Long.BYTES).putLong(total).array();
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
      new DataOutputStream(out).writeLong(total);
    }

    @Override
    public void restore(InputStream in) throws IOException {
      total = new DataInputStream(in).readLong();
    }
  }
}
