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

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.NotLeaderException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftNodeBuilder;
import dev.floe.raft.RaftOptions;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.SnapshotOptions;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.storage.file.FileLogStore;
import dev.floe.raft.storage.file.FileSnapshotStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * Real nodes for the recovery tests: each over a {@link NettyTransport} on 127.0.0.1, a {@link
 * FileLogStore} in {@code <root>/<id>/raft} and a {@link FileSnapshotStore} in {@code
 * <root>/<id>/raft/snapshots}, applying to a {@link Values} state machine that snapshots.
 */
final class FileNodes implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final RaftOptions OPTIONS = RaftOptions.defaults().withElectionTimeout(150, 300)
      .withHeartbeatInterval(40);

  final Path root;
  final ClusterId cluster;
  final Map<NodeId, InetSocketAddress> addresses = new ConcurrentHashMap<>();
  final Map<NodeId, RaftNode> nodes = new ConcurrentHashMap<>();
  final Map<NodeId, Values> values = new ConcurrentHashMap<>();

  FileNodes(Path root, ClusterId cluster) {
    this.root = root;
    this.cluster = cluster;
  }

  /** A node's data directory (its log store's). */
  Path raftDir(NodeId id) {
    return root.resolve(id.value()).resolve("raft");
  }

  FileLogStore logStore(NodeId id) {
    return new FileLogStore(raftDir(id));
  }

  FileSnapshotStore snapshotStore(NodeId id) {
    return new FileSnapshotStore(raftDir(id).resolve("snapshots"));
  }

  /** Builds a node at its address (which must be in {@link #addresses}); {@code how} adds the rest. */
  RaftNode build(NodeId id, UnaryOperator<RaftNodeBuilder> how) {
    NettyTransport transport = new NettyTransport(Cluster.defaults(addresses.get(id).getPort())
        .peers(Map.copyOf(addresses)).build());
    Values machine = new Values();
    values.put(id, machine);
    RaftNodeBuilder b = RaftNode.builder().id(id).clusterId(cluster).stateMachine(machine)
        .transport(transport).logStore(logStore(id))
        .snapshots(snapshotStore(id), new SnapshotOptions(1_000_000, 10, 64 * 1024))
        .options(OPTIONS);
    return how.apply(b).build();
  }

  /** Builds and starts a node, which is closed with the others. */
  RaftNode start(NodeId id, UnaryOperator<RaftNodeBuilder> how) throws IOException {
    RaftNode node = build(id, how);
    try {
      node.start();
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    nodes.put(id, node);
    return node;
  }

  /** Founds a cluster of {@code ids} on free ports. */
  void found(List<NodeId> ids) throws IOException {
    addresses.putAll(FreePorts.on127(ids));
    for (NodeId id : ids) {
      start(id, b -> b.members(ids));
    }
  }

  void stop(NodeId id) {
    RaftNode node = nodes.remove(id);
    if (node != null) {
      node.close();
    }
  }

  /** The address string a member is added with. */
  String address(NodeId id) {
    return "127.0.0.1:" + addresses.get(id).getPort();
  }

  NodeId awaitLeader() {
    return await().atMost(WAIT).until(
        () -> nodes.values().stream().map(RaftNode::status).filter(RaftStatus::isLeader)
            .map(RaftStatus::id).findFirst().orElse(null),
        id -> id != null);
  }

  /** Writes a value through the current leader, retrying while leadership settles. */
  SubmitResult write(String value) {
    return await().atMost(WAIT).until(() -> {
      try {
        return nodes.get(awaitLeader()).submit(value.getBytes(UTF_8)).get(5, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof NotLeaderException) {
          return null;
        }
        throw e;
      } catch (TimeoutException e) {
        return null;
      }
    }, r -> r != null);
  }

  /** Writes {@code prefix-0 .. prefix-(n-1)} and returns them. */
  List<String> write(String prefix, int n) {
    List<String> written = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      write(prefix + "-" + i);
      written.add(prefix + "-" + i);
    }
    return written;
  }

  @Override
  public void close() {
    nodes.values().forEach(RaftNode::close);
    nodes.clear();
  }

  /** One applied value and its log index. */
  record Value(long index, String value) {}

  /** Records every value it applies, with its index; its snapshot is the list. */
  static final class Values implements StateMachine {
    final List<Value> applied = new CopyOnWriteArrayList<>();

    @Override
    public byte[] apply(long index, byte[] command) {
      applied.add(new Value(index, new String(command, UTF_8)));
      return new byte[0];
    }

    List<String> strings() {
      return applied.stream().map(Value::value).toList();
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      List<Value> copy = List.copyOf(applied);
      data.writeInt(copy.size());
      for (Value v : copy) {
        data.writeLong(v.index());
        data.writeUTF(v.value());
      }
      data.flush();
    }

    @Override
    public void restore(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      List<Value> read = new ArrayList<>();
      for (int n = data.readInt(); n > 0; n--) {
        read.add(new Value(data.readLong(), data.readUTF()));
      }
      applied.clear();
      applied.addAll(read);
    }
  }
}
