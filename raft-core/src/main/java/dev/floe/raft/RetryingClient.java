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

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Submits commands and runs queries through the nodes of this process, retrying what failed for
 * want of a leader, so that callers see only a result or a failure that retrying cannot fix.
 *
 * <p>Every command is submitted within a client session ({@link RaftNode#submit(byte[],
 * SessionRequest)}), so a retry after {@link CommitUnknownException} cannot apply it twice: the
 * state machine applies it once, and every copy is answered with that first result. Each command
 * in flight holds a session of its own from a pool (a session has at most one command in flight),
 * so the pool grows to the client's highest concurrency. Queries have no effect and are retried
 * as they are.
 *
 * <pre>{@code
 * RetryingClient client = RetryingClient.builder().nodes(List.of(node)).build();
 * SubmitResult r = client.submit(command).get();      // once, whatever leader changes happen
 * byte[] answer = client.query(query, ReadConsistency.LINEARIZABLE).get();
 * }</pre>
 *
 * <p>Retried: {@link NotLeaderException}, {@link CommitUnknownException}, {@link
 * OverloadedException}, and {@link NodeStoppedException} while another node is given. Anything
 * else (the state machine's own exception, {@link CommandTooLargeException}, a session error)
 * fails the call at once. When the call's timeout passes, it fails with a {@link TimeoutException}
 * whose cause is the last failure. Thread-safe.
 */
public final class RetryingClient {
  private static final SecureRandom CLIENT_IDS = new SecureRandom();

  private final List<RaftNode> nodes;
  private final long timeoutNanos;
  private final long firstBackoffMillis;
  private final long maxBackoffMillis;
  private final ConcurrentLinkedQueue<Session> idle = new ConcurrentLinkedQueue<>();
  /** The node to try first: the last one through which a call succeeded. */
  private final AtomicInteger preferred = new AtomicInteger();

  /** A client session; used by one command at a time. */
  private static final class Session {
    final long clientId = CLIENT_IDS.nextLong();
    long lastSequence;
  }

  private RetryingClient(Builder b) {
    this.nodes = b.nodes;
    this.timeoutNanos = b.timeout.toNanos();
    this.firstBackoffMillis = b.firstBackoff.toMillis();
    this.maxBackoffMillis = b.maxBackoff.toMillis();
  }

  /** {@return a builder with the default timeout and backoff, and no nodes yet} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Replicates and applies a command exactly once, retrying through the nodes until it is applied
   * or the timeout passes.
   *
   * @param command the command bytes, handed to the state machine's {@code apply} as they are,
   *     without a copy: do not change the array after the call
   * @return a future completing as {@link RaftNode#submit(byte[])}'s does on success
   */
  public CompletableFuture<SubmitResult> submit(byte[] command) {
    Objects.requireNonNull(command, "command");
    Session session = idle.poll();
    if (session == null) {
      session = new Session();
    }
    Session s = session;
    SessionRequest request = new SessionRequest(s.clientId, ++s.lastSequence);
    CompletableFuture<SubmitResult> result =
        attempt(node -> node.submit(command, request), System.nanoTime() + timeoutNanos);
    return result.whenComplete((r, e) -> idle.add(s));
  }

  /**
   * Runs a query, retrying through the nodes until it is answered or the timeout passes.
   *
   * @param query the query bytes, handed to the state machine's {@code query}
   * @param consistency how fresh the answer must be, as for {@link RaftNode#query}
   * @return a future completing as {@link RaftNode#query}'s does
   */
  public CompletableFuture<byte[]> query(byte[] query, ReadConsistency consistency) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(consistency, "consistency");
    return attempt(node -> node.query(query, consistency), System.nanoTime() + timeoutNanos);
  }

  private interface Call<T> {
    CompletableFuture<T> on(RaftNode node);
  }

  private <T> CompletableFuture<T> attempt(Call<T> call, long deadlineNanos) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(call, deadlineNanos, preferred.get(), 0, result);
    return result;
  }

  private <T> void attempt(Call<T> call, long deadlineNanos, int nodeIndex, int attempt,
      CompletableFuture<T> result) {
    int index = Math.floorMod(nodeIndex, nodes.size());
    call.on(nodes.get(index)).whenComplete((value, error) -> {
      if (error == null) {
        preferred.set(index);
        result.complete(value);
        return;
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      if (!retryable(cause)) {
        result.completeExceptionally(cause);
        return;
      }
      long backoff = Math.min(maxBackoffMillis, firstBackoffMillis << Math.min(attempt, 20));
      if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff) - deadlineNanos > 0) {
        TimeoutException timeout = new TimeoutException("no node completed the call within "
            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms; the last failure: " + cause);
        timeout.initCause(cause);
        result.completeExceptionally(timeout);
        return;
      }
      // A refusal naming no leader, or a stopped node, moves on to the next node.
      int next = cause instanceof NotLeaderException || cause instanceof NodeStoppedException
          ? index + 1 : index;
      Executor later = CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS);
      later.execute(() -> attempt(call, deadlineNanos, next, attempt + 1, result));
    });
  }

  private boolean retryable(Throwable cause) {
    return cause instanceof NotLeaderException || cause instanceof CommitUnknownException
        || cause instanceof OverloadedException
        || (cause instanceof NodeStoppedException && nodes.size() > 1);
  }

  /** Settings of a {@link RetryingClient}. */
  public static final class Builder {
    private List<RaftNode> nodes;
    private Duration timeout = Duration.ofSeconds(30);
    private Duration firstBackoff = Duration.ofMillis(10);
    private Duration maxBackoff = Duration.ofSeconds(1);

    private Builder() {}

    /**
     * Sets the nodes to go through (required; usually this process's one node).
     *
     * @param nodes the nodes, tried in this order starting from the last one that succeeded
     * @return this builder
     * @throws IllegalArgumentException if {@code nodes} is empty
     */
    public Builder nodes(List<RaftNode> nodes) {
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("a client needs at least one node");
      }
      this.nodes = List.copyOf(nodes);
      return this;
    }

    /**
     * Sets how long one call may take, retries included (default 30 s).
     *
     * @param timeout the limit, positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /**
     * Sets the pause before the first retry, doubled on each further one up to {@code max}.
     *
     * @param first the first pause, positive (default 10 ms)
     * @param max the longest pause, at least {@code first} (default 1 s)
     * @return this builder
     */
    public Builder backoff(Duration first, Duration max) {
      this.firstBackoff = positive(first, "first backoff");
      this.maxBackoff = positive(max, "max backoff");
      if (max.compareTo(first) < 0) {
        throw new IllegalArgumentException("the max backoff (" + max.toMillis()
            + " ms) is shorter than the first (" + first.toMillis() + " ms)");
      }
      return this;
    }

    private static Duration positive(Duration d, String what) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d.toMillis() + " ms");
      }
      return d;
    }

    /**
     * {@return the client}
     *
     * @throws NullPointerException if no nodes were given
     */
    public RetryingClient build() {
      Objects.requireNonNull(nodes, "nodes");
      return new RetryingClient(this);
    }
  }
}
