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
package dev.floe.raft.sim;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.floe.raft.NodeStoppedException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.StoreIdentity;
import dev.floe.raft.spi.TermAndVote;
import dev.floe.raft.spi.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node forces small batches on its own loop through {@link LogStore#syncInline()}, leaves large
 * ones to the store's {@code sync()}, and stops, as after any storage failure, when an inline
 * sync fails.
 */
class InlineSyncNodeTest {
  private static final NodeId N1 = NodeId.of("n1");
  private RaftNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  /** A transport for a one-node cluster: nothing to send, nothing arrives. */
  private static final class Alone implements Transport {
    @Override
    public void start(ClusterId clusterId, NodeId self, Consumer<RaftMessage> inbound) {}

    @Override
    public void send(RaftMessage message) {}

    @Override
    public void close() {}
  }

  /** An in-memory store that syncs inline when asked to, and counts both kinds of sync. */
  private static final class InlineStore implements LogStore {
    private final InMemoryLogStore inner = new InMemoryLogStore();
    final AtomicInteger inlineSyncs = new AtomicInteger();
    final AtomicInteger syncs = new AtomicInteger();
    volatile boolean failInline;

    @Override
    public boolean syncInline() throws IOException {
      if (failInline) {
        throw new IOException("simulated force failure");
      }
      inner.sync().join(); // this store's syncs complete at once, on the caller's thread
      inlineSyncs.incrementAndGet();
      return true;
    }

    @Override
    public CompletableFuture<Void> sync() {
      syncs.incrementAndGet();
      return inner.sync();
    }

    @Override
    public void open() throws IOException {
      inner.open();
    }

    @Override
    public Optional<StoreIdentity> identity() {
      return inner.identity();
    }

    @Override
    public void saveIdentity(StoreIdentity identity) {
      inner.saveIdentity(identity);
    }

    @Override
    public TermAndVote termAndVote() {
      return inner.termAndVote();
    }

    @Override
    public long firstIndex() {
      return inner.firstIndex();
    }

    @Override
    public long lastIndex() {
      return inner.lastIndex();
    }

    @Override
    public long term(long index) {
      return inner.term(index);
    }

    @Override
    public List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes) {
      return inner.entries(fromIndex, toIndexExclusive, maxBytes);
    }

    @Override
    public void append(List<LogEntry> entries) {
      inner.append(entries);
    }

    @Override
    public void truncateSuffix(long fromIndex) {
      inner.truncateSuffix(fromIndex);
    }

    @Override
    public void compactPrefix(long upToIndex) {
      inner.compactPrefix(upToIndex);
    }

    @Override
    public void reset(long nextIndex) {
      inner.reset(nextIndex);
    }

    @Override
    public void saveTermAndVote(TermAndVote termAndVote) {
      inner.saveTermAndVote(termAndVote);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  private RaftNode startAlone(InlineStore store) throws Exception {
    node = RaftNode.builder().id(N1).clusterId(ClusterId.of("c")).members(List.of(N1))
        .stateMachine(new RegisterStateMachine()).transport(new Alone()).logStore(store).build();
    node.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> node.status().isLeader());
    return node;
  }

  @Test
  void aSmallCommandIsForcedInlineAndALargeOneThroughTheStoresSync() throws Exception {
    InlineStore store = new InlineStore();
    startAlone(store);
    int syncsBefore = store.syncs.get();
    int inlineBefore = store.inlineSyncs.get();

    SubmitResult small = node.submit("x".getBytes(UTF_8)).get();

    assertThat(store.inlineSyncs.get()).isGreaterThan(inlineBefore);
    assertThat(store.syncs.get()).isEqualTo(syncsBefore);
    assertThat(store.entries(small.index(), small.index() + 1, Long.MAX_VALUE).get(0).data())
        .contains("x".getBytes(UTF_8));

    byte[] large = new byte[512 * 1024];
    Arrays.fill(large, (byte) 7);
    node.submit(large).get();

    assertThat(store.syncs.get()).isGreaterThan(syncsBefore);
  }

  @Test
  void aFailedInlineSyncStopsTheNodeAndFailsWhatWaited() throws Exception {
    InlineStore store = new InlineStore();
    startAlone(store);
    store.failInline = true;

    CompletableFuture<SubmitResult> submit = node.submit("x".getBytes(UTF_8));

    assertThat(submit).failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(NodeStoppedException.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> node.status().role() == Role.STOPPED);
    assertThat(node.status().failure()).hasValueSatisfying(f -> assertThat(f)
        .contains("storage failed").contains("simulated force failure"));
  }
}
