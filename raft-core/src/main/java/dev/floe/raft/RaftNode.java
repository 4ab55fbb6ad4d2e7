package dev.floe.raft;

import dev.floe.raft.core.Commands;
import dev.floe.raft.core.Event;
import dev.floe.raft.core.Outcome;
import dev.floe.raft.core.RaftCore;
import dev.floe.raft.core.Ready;
import dev.floe.raft.message.EntryType;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.spi.EventLoop;
import dev.floe.raft.message.InstallSnapshotResponse;
import dev.floe.raft.spi.LogStore;
import dev.floe.raft.spi.MonotonicClock;
import dev.floe.raft.spi.StoreIdentity;
import dev.floe.raft.spi.TermAndVote;
import dev.floe.raft.spi.SnapshotMeta;
import dev.floe.raft.spi.SnapshotStore;
import dev.floe.raft.spi.StateMachine;
import dev.floe.raft.spi.Transport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member of a Floe cluster: the Raft algorithm driven over a {@link Transport}, a {@link LogStore}
 * and the application's {@link StateMachine}.
 *
 * <pre>{@code
 * RaftNode node = RaftNode.builder()
 *     .id(NodeId.of("n1"))
 *     .members(List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3")))
 *     .stateMachine(myStateMachine)
 *     .transport(transport)
 *     .logStore(store)
 *     .build();
 * node.start();
 * SubmitResult r = node.submit(command).get();
 * }</pre>
 *
 * <h2>Threading</h2>
 * Every public method is thread-safe and returns at once. The algorithm runs on one event loop;
 * the state machine runs on a separate apply thread. Futures complete on the event loop: attach
 * callbacks that block with the {@code *Async} variants.
 *
 * <h2>Guarantees</h2>
 * A submit completes normally only once its command is committed (durable on a majority) and
 * applied by this node's state machine. It fails with {@link NotLeaderException} when it certainly
 * had no effect, and with {@link CommitUnknownException} when its fate is unknown.
 */
public final class RaftNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RaftNode.class);
  /** How many applied entries are remembered for forwarded submits whose answer comes late. */
  private static final int RECENTLY_APPLIED = 4096;

  private final NodeId id;
  /** The cluster id given to the builder, or {@code null}; checked against the store. */
  private final ClusterId configuredClusterId;
  /** The cluster this node belongs to, as its store records it; set by {@link #start()}. */
  private volatile ClusterId clusterId;
  /** The founding members given to the builder, or {@code null}; checked against the store. */
  private final List<NodeId> founders;
  /** Whether the builder asked to join a running cluster. */
  private final boolean joining;
  private final MonotonicClock clock;
  private final StateMachine stateMachine;
  private final Transport transport;
  private final LogStore store;
  private final RaftOptions options;
  private final EventLoop loop;
  private final Executor applyExecutor;
  private final RandomGenerator random;
  private final AutoCloseable ownedThreads;
  /** Snapshots, if a snapshot store was given. */
  private final Snapshots snapshots;
  /** The last index (and its term) in the state machine; touched only on the apply thread. */
  private long appliedThrough;
  private long appliedTerm;
  /** The membership as of {@code appliedThrough}; touched only on the apply thread. */
  private Configuration appliedConfiguration;
  /** Client sessions; touched only on the apply thread. */
  private final SessionTable sessions = new SessionTable(SessionRequest.EXPIRY_ENTRIES);

  // Owned by the event loop.
  private RaftCore core;
  private final ConcurrentLinkedQueue<RaftMessage> inbox = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Runnable> requests = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final List<Event.Proposal> proposalBatch = new ArrayList<>();
  private final Requests pending;
  private CompletableFuture<Void> lastSync = CompletableFuture.completedFuture(null);
  private long nextRequestId;
  private long handedToApplyIndex;
  /** Ticks since start: the clock of request timeouts. */
  private long ticks;
  private final long requestTimeoutTicks;
  private Role lastRole = Role.FOLLOWER;
  /** The configuration in effect, as last seen by the event loop; read by {@link #configuration()}. */
  private volatile Configuration lastConfiguration;
  private Configuration publishedConfiguration;
  private EventLoop.Cancellable tickTask;

  private volatile boolean started;
  private volatile boolean closed;
  private volatile Throwable failure;
  private volatile RaftStatus status;

  private RaftNode(Builder b) {
    this.id = Objects.requireNonNull(b.id, "id");
    this.configuredClusterId = b.clusterId;
    this.joining = b.joining;
    if (b.joining && b.members != null) {
      throw new IllegalArgumentException("a joining node takes its members from the cluster: "
          + "set members or join, not both");
    }
    if (b.members != null) {
      validateFounders(id, b.members);
    }
    this.founders = b.members;
    this.clock = b.clock;
    this.appliedConfiguration = Configuration.empty();
    this.stateMachine = Objects.requireNonNull(b.stateMachine, "stateMachine");
    this.transport = Objects.requireNonNull(b.transport, "transport");
    this.store = Objects.requireNonNull(b.logStore, "logStore");
    this.options = b.options;
    this.options.toCoreConfig(); // validates
    if (b.eventLoop != null) {
      this.loop = b.eventLoop;
      this.applyExecutor = Objects.requireNonNull(b.applyExecutor, "applyExecutor (with eventLoop)");
      this.ownedThreads = null;
    } else {
      NodeThreads threads = new NodeThreads(id.value());
      this.loop = threads.loop;
      this.applyExecutor = threads.applier;
      this.ownedThreads = threads;
    }
    this.random = b.random != null ? b.random : RandomGenerator.of("L64X128MixRandom");
    // Request ids travel to other nodes (forwarded submits, reads), so they must not repeat
    // across restarts: a late answer to an earlier incarnation's request would complete the wrong
    // future. Each incarnation numbers from a random epoch in the high bits.
    this.nextRequestId = ((random.nextLong() >>> 33) << 32) + 1;
    this.requestTimeoutTicks =
        (options.requestTimeoutMillis() + options.tickMillis() - 1) / options.tickMillis();
    this.pending = new Requests();
    if (b.snapshotStore != null) {
      this.snapshots = new Snapshots(id, b.snapshotStore, b.snapshotOptions, stateMachine, sessions,
          loop, applyExecutor, transport, this::stepFromSnapshots, () -> core.term(),
          this::onSnapshotRestored, () -> appliedConfiguration);
    } else {
      this.snapshots = null;
    }
    this.status = new RaftStatus(id, Role.FOLLOWER, 0, Optional.empty(), 0, 0, 0,
        founders == null ? List.of() : List.copyOf(new java.util.TreeSet<>(founders)), List.of(),
        Map.of(), Optional.empty());
  }

  private static void validateFounders(NodeId id, List<NodeId> members) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("members must not be empty");
    }
    if (!members.contains(id)) {
      throw new IllegalArgumentException("members " + members + " do not include this node " + id);
    }
    if (new java.util.HashSet<>(members).size() != members.size()) {
      throw new IllegalArgumentException("members " + members + " name a node more than once");
    }
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Recovers the node's state from its stores, checks it against the settings, then starts taking
   * part in the cluster. It returns without waiting for the disk: what recovery writes (the
   * identity of a new store, a log reset after an interrupted snapshot install) becomes durable
   * before anything that depends on it is acknowledged.
   *
   * <p>On a new store (one that holds nothing) it records the node's identity: its id, the
   * cluster id and, for a founding member, the {@link Builder#members founding members}. Every
   * later start checks them: a data directory of another node or cluster is refused with an
   * {@link IdentityMismatchException}, and members that match neither the founding members nor the
   * membership in effect fail the start, since the stored membership always rules.
   *
   * @throws IdentityMismatchException if the store belongs to another node or cluster
   * @throws IOException if the store cannot be opened (for example, it is corrupt, or parts of it
   *     are missing) or the transport cannot start
   * @throws IllegalArgumentException if {@link Builder#members} or {@link Builder#join} contradict
   *     what the store records, or a new store gets neither
   * @throws IllegalStateException if called twice
   */
  public void start() throws IOException {
    if (started) {
      throw new IllegalStateException("node " + id + " is already started");
    }
    started = true;
    store.open();
    StoreIdentity identity = checkIdentity();
    appliedConfiguration = identity.bootstrap();
    long snapshotIndex = 0;
    long snapshotTerm = 0;
    if (snapshots != null) {
      Optional<SnapshotMeta> latest = snapshots.restoreLatest();
      if (latest.isPresent()) {
        snapshotIndex = latest.get().index();
        snapshotTerm = latest.get().term();
        appliedTerm = snapshotTerm;
        onSnapshotRestored(latest.get());
      }
    }
    long first = store.firstIndex();
    long last = store.lastIndex();
    if (!logContinues(snapshotIndex, snapshotTerm, first, last)) {
      if (snapshotIndex == 0) {
        throw new IOException("the log starts at index " + first
            + " but no snapshot covers the entries before it");
      }
      // The log does not continue the snapshot (a crash while installing one): start after it.
      // Not waited for: every write after it is durable only after it, and so is every answer.
      log.info("{}: the log {}..{} does not continue snapshot {} (term {}); starting after it",
          id, first, last, snapshotIndex, snapshotTerm);
      store.reset(snapshotIndex + 1);
      first = snapshotIndex + 1;
      last = snapshotIndex;
    }
    List<LogEntry> entries = last > snapshotIndex
        ? store.entries(snapshotIndex + 1, last + 1, Long.MAX_VALUE) : List.of();
    core = new RaftCore(id, appliedConfiguration, options.toCoreConfig(), store.termAndVote(),
        snapshotIndex, snapshotTerm, entries, random, clock);
    checkFounders(identity);
    handedToApplyIndex = snapshotIndex;
    lastConfiguration = core.configuration();
    log.info("{} starting in cluster {}: term {}, log {}..{}, {}", id, clusterId, core.term(),
        first, last, lastConfiguration);
    publishStatus();
    transport.start(clusterId, id, this::onMessage);
    transport.membersChanged(lastConfiguration);
    loop.execute(this::scheduleTick);
  }

  /**
   * Whether the log continues the snapshot: it holds the entry after it, or the snapshot's own
   * entry with the snapshot's term (a log whose entry there has another term holds a history the
   * snapshot replaced, such as after a crash while installing one).
   */
  private boolean logContinues(long snapshotIndex, long snapshotTerm, long first, long last) {
    if (first > snapshotIndex + 1 || last < snapshotIndex) {
      return false;
    }
    return snapshotIndex < first || store.term(snapshotIndex) == snapshotTerm;
  }

  /** Compares the store's identity with the settings, or records it on a new store. */
  private StoreIdentity checkIdentity() throws IOException {
    Optional<StoreIdentity> stored = store.identity();
    if (stored.isEmpty()) {
      boolean holdsData = !store.termAndVote().equals(TermAndVote.INITIAL)
          || store.lastIndex() >= store.firstIndex() || store.firstIndex() != 1;
      if (holdsData) {
        throw new IOException("the log store of " + id + " holds data (term "
            + store.termAndVote().term() + ", log " + store.firstIndex() + ".." + store.lastIndex()
            + ") but no identity: it is damaged or was written by another program");
      }
      if (founders == null && !joining) {
        throw new IllegalArgumentException("node " + id + " starts on an empty store: give it "
            + "members(...) to found a cluster, or join() to enter a running one");
      }
      if (configuredClusterId == null) {
        throw new IllegalArgumentException("node " + id + " starts on an empty store: give it the "
            + "cluster's id, clusterId(...) (ClusterId.random() when founding a new cluster)");
      }
      clusterId = configuredClusterId;
      StoreIdentity created = new StoreIdentity(clusterId, id,
          joining ? Configuration.empty() : Configuration.ofVoters(founders));
      store.saveIdentity(created);
      log.info("{}: new data directory: {} of cluster {}, {}", id, id, clusterId,
          created.founder() ? "founded with " + created.bootstrap().voters() : "joining");
      return created;
    }
    StoreIdentity identity = stored.get();
    if (!identity.nodeId().equals(id)) {
      throw new IdentityMismatchException("node id", identity.nodeId().value(), id.value(),
          store.toString());
    }
    if (configuredClusterId != null && !identity.clusterId().equals(configuredClusterId)) {
      throw new IdentityMismatchException("cluster id", identity.clusterId().value(),
          configuredClusterId.value(), store.toString());
    }
    clusterId = identity.clusterId();
    if (joining && identity.founder()) {
      throw new IllegalArgumentException("node " + id + " is a founding member of cluster "
          + clusterId + " (founded with " + identity.bootstrap().voters() + "); start it with "
          + "members(...) or neither, not join()");
    }
    if (founders != null && !identity.founder()) {
      throw new IllegalArgumentException("node " + id + " joined cluster " + clusterId
          + " after it was founded; start it with join() or neither, not members(" + founders + ")");
    }
    return identity;
  }

  /**
   * Founding members given on a restart must be the ones the cluster was founded with, or the
   * voters in effect: anything else is a mistake (the stored membership rules either way, and
   * membership changes go through the log).
   */
  private void checkFounders(StoreIdentity identity) {
    if (founders == null) {
      return;
    }
    java.util.TreeSet<NodeId> given = new java.util.TreeSet<>(founders);
    if (given.equals(identity.bootstrap().voters()) || given.equals(core.voters())) {
      return;
    }
    throw new IllegalArgumentException("members " + given + " given to " + id + " match neither "
        + "the members cluster " + clusterId + " was founded with, " + identity.bootstrap().voters()
        + ", nor its voters now, " + core.voters() + ", as its data directory records them. The "
        + "stored membership rules: pass the founding members (or none), and change the membership "
        + "with addVoter and removeMember");
  }

  /**
   * Replicates a command and applies it.
   *
   * @param command the command bytes, handed to {@link StateMachine#apply} on every node
   * @return a future completing with the command's index and result once it is committed and
   *     applied on this node; it fails with {@link NotLeaderException} (no effect),
   *     {@link CommitUnknownException} (fate unknown), {@link OverloadedException} or
   *     {@link NodeStoppedException}
   */
  public CompletableFuture<SubmitResult> submit(byte[] command) {
    Objects.requireNonNull(command, "command");
    return submitPayload(Commands.plain(command));
  }

  /**
   * Replicates a command within a client session, so that retrying it is safe: whichever copies
   * reach the log, the state machine applies it once, and every copy is answered with the first
   * application's index and result (thesis §6.3).
   *
   * @param command the command bytes
   * @param session the client and the command's sequence number in its session
   * @return as {@link #submit(byte[])}; it also fails with {@link FloeException} if the sequence is
   *     older than the session's last applied one
   */
  public CompletableFuture<SubmitResult> submit(byte[] command, SessionRequest session) {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(session, "session");
    return submitPayload(Commands.session(session.clientId(), session.sequence(), command));
  }

  private CompletableFuture<SubmitResult> submitPayload(byte[] payload) {
    CompletableFuture<SubmitResult> future = new CompletableFuture<>();
    enqueue(() -> onSubmit(payload, future));
    return future;
  }

  /**
   * Runs a read-only query against the state machine.
   *
   * @param query the query bytes, handed to {@link StateMachine#query}
   * @param consistency how fresh the answer must be
   * @return a future completing with the state machine's answer
   */
  public CompletableFuture<byte[]> query(byte[] query, ReadConsistency consistency) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(consistency, "consistency");
    CompletableFuture<byte[]> future = new CompletableFuture<>();
    enqueue(() -> onQuery(query, consistency, future));
    return future;
  }

  /**
   * Hands leadership to {@code target} (thesis §3.10): this leader stops taking proposals, brings the
   * target up to date and tells it to campaign at once.
   *
   * @param target the node to lead, or {@code null} for the most up-to-date follower
   * @return a future completing with the new leader once it leads; it fails with {@link
   *     NotLeaderException} if this node does not lead, or {@link TransferFailedException} if the target did
   *     not take over within an election timeout (this node then leads on)
   */
  public CompletableFuture<NodeId> transferLeadership(NodeId target) {
    CompletableFuture<NodeId> future = new CompletableFuture<>();
    enqueue(() -> onTransfer(target, future));
    return future;
  }

  /**
   * Adds a learner: a member that receives the log but does not vote, so it costs the cluster no
   * quorum however far behind it is. Call on the leader.
   *
   * @param member the node to add
   * @param address its address for the transport (such as {@code 127.0.0.1:7004}); empty if the
   *     transports already know it. Every member learns it from the log.
   * @return a future completing with the new configuration once it is committed and applied here
   *     (at once, with the current one, if the node is a member already); it fails with {@link
   *     NotLeaderException} if this node does not lead, or {@link CommitUnknownException} if
   *     leadership was lost before the change was known to be committed
   */
  public CompletableFuture<Configuration> addLearner(NodeId member, String address) {
    return changeMembership(Event.MembershipChangeKind.ADD_LEARNER, member, address);
  }

  /**
   * Adds a voter without putting the quorum at risk: the node joins as a learner, and is promoted
   * once its log is within {@link RaftOptions#learnerCatchUpEntries()} of the leader's. Each step
   * changes one member (thesis §4.1), so any two successive majorities overlap. Call on the
   * leader; the node must be running (with {@link Builder#join()}) to catch up.
   *
   * @param member the node to add
   * @param address its address for the transport, or empty
   * @return a future completing with the configuration in which it votes; it fails as {@link
   *     #addLearner} does, and with {@link CatchUpTimeoutException} if the learner did not catch up within
   *     {@link RaftOptions#learnerCatchUpTimeoutMillis()} (it then stays a learner)
   */
  public CompletableFuture<Configuration> addVoter(NodeId member, String address) {
    return changeMembership(Event.MembershipChangeKind.ADD_VOTER, member, address);
  }

  /**
   * Makes a learner a voter once it has caught up. Call on the leader.
   *
   * @return as {@link #addVoter}; it also fails with {@link MembershipChangeRefusedException} if the node is not a
   *     learner
   */
  public CompletableFuture<Configuration> promote(NodeId learner) {
    return changeMembership(Event.MembershipChangeKind.PROMOTE, learner, "");
  }

  /**
   * Removes a voter or a learner. A leader may remove itself: it leads until the change commits,
   * then hands leadership to the most up-to-date voter and steps down. A removed node's vote
   * requests are ignored by the members, so it cannot disturb them; stop it once the change has
   * committed. Call on the leader.
   *
   * @return a future completing with the configuration without the node (at once if it is no
   *     member); it fails as {@link #addLearner} does, and with {@link MembershipChangeRefusedException} when removing
   *     the last voter
   */
  public CompletableFuture<Configuration> removeMember(NodeId member) {
    return changeMembership(Event.MembershipChangeKind.REMOVE, member, "");
  }

  /** The configuration in effect on this node (the last in its log, committed or not). */
  public Configuration configuration() {
    return lastConfiguration != null ? lastConfiguration : Configuration.empty();
  }

  private CompletableFuture<Configuration> changeMembership(
      Event.MembershipChangeKind kind, NodeId member, String address) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(address, "address");
    CompletableFuture<SubmitResult> applied = new CompletableFuture<>();
    enqueue(() -> {
      if (checkActive(applied)) {
        long requestId = nextRequestId++;
        pending.addMembershipChange(requestId, applied);
        core.step(new Event.ChangeMembership(requestId, kind, member, address));
      }
    });
    return applied.thenApply(r -> Configuration.decode(r.result()));
  }

  /**
   * Takes a snapshot of the state machine now (on the apply thread, after the entries handed to it)
   * and compacts the log behind it.
   *
   * @return a future completing with the index the snapshot covers
   * @throws IllegalStateException if the node was built without a snapshot store
   */
  public CompletableFuture<Long> takeSnapshot() {
    if (snapshots == null) {
      throw new IllegalStateException("node " + id + " has no snapshot store");
    }
    CompletableFuture<Long> future = new CompletableFuture<>();
    applyExecutor.execute(() -> {
      try {
        future.complete(appliedThrough == 0 ? 0L
            : snapshots.take(appliedThrough, appliedTerm).index());
      } catch (IOException | RuntimeException e) {
        future.completeExceptionally(e);
      }
    });
    return future;
  }

  private void stepFromSnapshots(Event event) {
    guarded(() -> {
      if (isActive()) {
        core.step(event);
        processReady();
      }
    });
  }

  /** On the apply thread (or at start): the state machine now holds the snapshot's state. */
  private void onSnapshotRestored(SnapshotMeta meta) {
    appliedThrough = meta.index();
    Configuration c = Configuration.decode(meta.configuration());
    if (!c.isEmpty()) {
      appliedConfiguration = c;
    }
  }

  /** Returns this node's current state. */
  public RaftStatus status() {
    return status;
  }

  /** Returns this node's id. */
  public NodeId id() {
    return id;
  }

  /** Returns the id of the cluster this node belongs to, once {@link #start()} has read it. */
  public Optional<ClusterId> clusterId() {
    return Optional.ofNullable(clusterId);
  }

  /**
   * Stops the node: fails every pending request with {@link NodeStoppedException}, stops the
   * transport and closes the store. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    transport.close();
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (tickTask != null) {
            tickTask.cancel();
          }
          pending.failAll(new NodeStoppedException("node " + id + " is closed", null));
          done.complete(null);
        });
    if (ownedThreads != null) {
      done.orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    try {
      store.close();
    } catch (IOException e) {
      log.warn("{}: closing the log store failed", id, e);
    }
    if (ownedThreads != null) {
      try {
        ownedThreads.close();
      } catch (Exception e) {
        log.warn("{}: stopping threads failed", id, e);
      }
    }
  }

  // ---------------------------------------------------------------- event loop

  private void onMessage(RaftMessage message) {
    inbox.add(message);
    scheduleDrain();
  }

  private void enqueue(Runnable request) {
    requests.add(request);
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      loop.execute(() -> guarded(this::drain));
    }
  }

  /** Steps everything that arrived since the last pass, then carries out one batch of effects. */
  private void drain() {
    drainScheduled.set(false);
    if (!isActive()) {
      inbox.clear();
      Runnable r;
      while ((r = requests.poll()) != null) {
        r.run(); // each request fails itself when the node is not active
      }
      return;
    }
    RaftMessage m;
    while ((m = inbox.poll()) != null) {
      if (snapshots != null && m instanceof InstallSnapshotResponse r && core.role() == Role.LEADER
          && r.term() == core.term()) {
        snapshots.onResponse(r);
      }
      core.step(new Event.Receive(m));
    }
    Runnable r;
    while ((r = requests.poll()) != null) {
      r.run();
    }
    if (!proposalBatch.isEmpty()) {
      core.step(new Event.Propose(new ArrayList<>(proposalBatch),
          pending.lowestAwaitingIndex(nextRequestId)));
      proposalBatch.clear();
    }
    processReady();
  }

  private boolean isActive() {
    return core != null && !closed && failure == null;
  }

  private void scheduleTick() {
    if (!isActive()) {
      return;
    }
    tickTask = loop.schedule(options.tickMillis(), () -> guarded(() -> {
      if (isActive()) {
        ticks++;
        pending.expire(ticks);
        core.step(new Event.Tick());
        processReady();
        publishStatus(true);
        scheduleTick();
      }
    }));
  }

  private void processReady() {
    Ready ready = core.ready();
    if (ready.mustPersist()) {
      try {
        if (ready.resetLogTo() != 0) {
          store.reset(ready.resetLogTo());
        }
        if (ready.truncateFrom() != 0) {
          store.truncateSuffix(ready.truncateFrom());
        }
        if (!ready.entries().isEmpty()) {
          store.append(ready.entries());
        }
        if (ready.termAndVote() != null) {
          store.saveTermAndVote(ready.termAndVote());
        }
        if (ready.compactUpTo() != 0) {
          store.compactPrefix(ready.compactUpTo());
        }
        lastSync = store.sync();
      } catch (IOException | RuntimeException e) {
        fail(e);
        return;
      }
    }
    followConfiguration();
    for (RaftMessage m : ready.messages()) {
      transport.send(m);
    }
    if (!ready.messagesAfterPersist().isEmpty()) {
      List<RaftMessage> toSelf = new ArrayList<>(1);
      List<RaftMessage> toOthers = new ArrayList<>(ready.messagesAfterPersist().size());
      for (RaftMessage m : ready.messagesAfterPersist()) {
        (m.to().equals(id) ? toSelf : toOthers).add(m);
      }
      lastSync.whenComplete((v, error) -> {
        // Answers to other nodes leave from the thread that saw the write become durable: a hop
        // through the event loop would add a thread wake-up to every commit's critical path.
        if (error == null && !closed && failure == null) {
          toOthers.forEach(transport::send);
        }
        if (error != null || !toSelf.isEmpty()) {
          loop.execute(() -> guarded(() -> afterPersist(toSelf, error)));
        }
      });
    }
    for (Outcome o : ready.outcomes()) {
      pending.onOutcome(o);
    }
    if (snapshots != null) {
      ready.snapshotsToSend().forEach(t -> snapshots.send(t.to(), t.round()));
      ready.snapshotChunks().forEach(snapshots::receive);
    }
    if (!ready.committedEntries().isEmpty()) {
      List<LogEntry> committed = ready.committedEntries();
      handedToApplyIndex = committed.get(committed.size() - 1).index();
      applyExecutor.execute(() -> apply(committed));
      pending.runReadsUpTo(handedToApplyIndex);
    }
    if (core.commitIndex() > handedToApplyIndex) {
      // Committed entries are handed over as they commit, so a gap means that a snapshot from the
      // leader now stands for the log up to the commit index.
      handedToApplyIndex = core.commitIndex();
      pending.onSnapshotInstalled(handedToApplyIndex);
      pending.runReadsUpTo(handedToApplyIndex);
    }
    if (lastRole == Role.LEADER && core.role() != Role.LEADER) {
      pending.onLeadershipLost(core.commitIndex());
      if (snapshots != null) {
        snapshots.stopSending();
      }
    }
    lastRole = core.role();
    publishStatus();
  }

  /** Tells the transport (before this batch's messages go out, so a newcomer is reachable). */
  private void followConfiguration() {
    if (core.configuration() != lastConfiguration) {
      lastConfiguration = core.configuration();
      log.info("{}: configuration {} (entry {})", id, lastConfiguration, core.configurationIndex());
      transport.membersChanged(lastConfiguration);
      if (snapshots != null) {
        snapshots.retainOnly(lastConfiguration.members());
      }
    }
  }

  /** On the loop, once a write is durable: this node's own answers to itself, or the failure. */
  private void afterPersist(List<RaftMessage> messages, Throwable error) {
    if (error != null) {
      fail(error);
      return;
    }
    if (!isActive()) {
      return;
    }
    for (RaftMessage m : messages) {
      core.step(new Event.Receive(m));
    }
    processReady();
  }

  /**
   * Runs a task of the event loop. An exception escaping it means that an internal check found a
   * broken invariant (or an SPI broke its contract): the node's state can no longer be trusted, so
   * it stops taking part, exactly as after a storage failure, rather than run on mid-way.
   */
  private void guarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | AssertionError e) {
      fail("an internal check failed", e);
    }
  }

  /** A write failed: stop taking part, so that nothing not durable is ever acknowledged. */
  private void fail(Throwable error) {
    fail("storage failed", error);
  }

  /** Stops taking part: fails what is pending, stops the timer, and says why in the status. */
  private void fail(String why, Throwable error) {
    if (failure != null) {
      return;
    }
    failure = new FloeException(why + ": " + error, error);
    log.error("{}: {}; the node stops taking part in the cluster", id, why, error);
    if (tickTask != null) {
      tickTask.cancel();
    }
    pending.failAll(new NodeStoppedException("node " + id + " stopped: " + failure.getMessage(),
        error));
    publishStatus();
  }

  private void apply(List<LogEntry> entries) {
    List<Applied> results = new ArrayList<>(entries.size());
    long bytes = 0;
    for (LogEntry e : entries) {
      if (e.index() <= appliedThrough) {
        continue; // covered by a snapshot installed meanwhile
      }
      bytes += e.data().length;
      Object result = null;
      if (e.type() == EntryType.COMMAND) {
        result = applyCommand(e);
      } else if (e.type() == EntryType.CONFIGURATION) {
        appliedConfiguration = Configuration.decode(e.data());
        result = appliedConfiguration;
      }
      sessions.expire(e.index());
      appliedThrough = e.index();
      appliedTerm = e.term();
      results.add(new Applied(e.index(), e.term(), result));
    }
    if (results.isEmpty()) {
      return;
    }
    // The loop learns of the applied entries before a snapshot that covers them (so that the
    // snapshot's compaction is not held back by an applied index the core has not seen yet), and
    // their submitters are answered before the snapshot is written, not after.
    loop.execute(() -> guarded(() -> onApplied(results)));
    if (snapshots != null) {
      snapshots.maybeTake(appliedThrough, appliedTerm, bytes);
    }
  }

  /** Applies one command entry on the apply thread; returns its result, an exception or a replay. */
  private Object applyCommand(LogEntry e) {
    byte[] payload = e.data();
    if (!Commands.isSession(payload)) {
      return applyToStateMachine(e.index(), payload);
    }
    long client = Commands.clientId(payload);
    long sequence = Commands.sequence(payload);
    SessionTable.Last first;
    try {
      first = sessions.applied(client, sequence);
    } catch (FloeException stale) {
      return stale;
    }
    if (first != null) {
      return first; // a retry: answered with the first result, not applied again
    }
    Object result = applyToStateMachine(e.index(), payload);
    sessions.record(client, sequence, e.index(), e.term(), result);
    return result;
  }

  private Object applyToStateMachine(long index, byte[] payload) {
    try {
      return stateMachine.apply(index, Commands.command(payload));
    } catch (RuntimeException ex) {
      log.warn("{}: the state machine rejected entry {}", id, index, ex);
      return ex;
    }
  }

  private void onApplied(List<Applied> results) {
    for (Applied a : results) {
      pending.onApplied(a);
    }
    if (isActive()) {
      core.step(new Event.Applied(results.get(results.size() - 1).index()));
      processReady();
    }
  }

  private void publishStatus() {
    publishStatus(false);
  }

  /**
   * Publishes this node's status for other threads. It runs after every batch of effects, so the
   * costlier parts are reused while unchanged: the member lists until the configuration changes,
   * and a leader's match indexes, refreshed on each tick ({@code withProgress}) and role change.
   */
  private void publishStatus(boolean withProgress) {
    RaftCore c = core;
    if (c == null) {
      return;
    }
    RaftStatus previous = status;
    Role role = failure != null ? Role.STOPPED : c.role();
    Configuration conf = c.configuration();
    List<NodeId> voters = previous.members();
    List<NodeId> learners = previous.learners();
    if (conf != publishedConfiguration) {
      publishedConfiguration = conf;
      voters = List.copyOf(conf.voters());
      learners = List.copyOf(conf.learners());
    }
    Map<NodeId, Long> matches = withProgress || role != previous.role()
        ? c.matchIndexes() : previous.matchIndexes();
    status = new RaftStatus(id, role, c.term(), Optional.ofNullable(c.leader()), c.commitIndex(),
        c.appliedIndex(), c.lastIndex(), voters, learners, matches,
        Optional.ofNullable(failure).map(Throwable::getMessage));
  }

  // ---------------------------------------------------------------- requests

  private void onSubmit(byte[] payload, CompletableFuture<SubmitResult> future) {
    if (!checkActive(future)) {
      return;
    }
    if (pending.size() >= options.maxPendingRequests()) {
      future.completeExceptionally(new OverloadedException(
          "node " + id + " has " + pending.size() + " requests waiting (maxPendingRequests)"));
      return;
    }
    long requestId = nextRequestId++;
    pending.addSubmit(requestId, future);
    proposalBatch.add(new Event.Proposal(requestId, payload));
  }

  private void onQuery(byte[] query, ReadConsistency consistency, CompletableFuture<byte[]> future) {
    if (!checkActive(future)) {
      return;
    }
    if (consistency == ReadConsistency.LOCAL) {
      runQuery(query, future);
      return;
    }
    long requestId = nextRequestId++;
    pending.addRead(requestId, query, future);
    core.step(consistency == ReadConsistency.LEASE
        ? new Event.LeaseRead(requestId) : new Event.ReadIndex(requestId));
  }

  private void onTransfer(NodeId target, CompletableFuture<NodeId> future) {
    if (!checkActive(future)) {
      return;
    }
    long requestId = nextRequestId++;
    pending.addTransfer(requestId, future);
    core.step(new Event.TransferLeadership(requestId, target));
  }

  private boolean checkActive(CompletableFuture<?> future) {
    if (isActive()) {
      return true;
    }
    future.completeExceptionally(new NodeStoppedException(
        closed || core == null ? "node " + id + " is not running" : "node " + id + " stopped: " + failure,
        failure));
    return false;
  }

  /** Runs a query on the apply thread, after every entry handed to it so far. */
  private void runQuery(byte[] query, CompletableFuture<byte[]> future) {
    applyExecutor.execute(() -> {
      byte[] answer;
      try {
        answer = stateMachine.query(query);
      } catch (RuntimeException e) {
        loop.execute(() -> future.completeExceptionally(e));
        return;
      }
      loop.execute(() -> future.complete(answer));
    });
  }

  /** When a request times out, in ticks of this node. */
  private record Deadline(long tick, long requestId, CompletableFuture<?> future, String what) {}

  /** One applied entry: {@code result} is the state machine's byte[] or exception, or null. */
  private record Applied(long index, long term, Object result) {}

  /**
   * Requests waiting for their outcome: submits (first for the index they get, then for it to be
   * applied), reads (for their read index to be applied) and transfers. Owned by the event loop.
   */
  private final class Requests {
    private final Map<Long, CompletableFuture<SubmitResult>> awaitingIndex = new LinkedHashMap<>();
    /** Which of {@code awaitingIndex} are membership changes, whose refusals mean other things. */
    private final java.util.Set<Long> membershipChanges = new java.util.HashSet<>();
    /**
     * Submits whose entry awaits applying, in index order: entries are accepted in index order
     * (a lower index only after a leader change), so a deque costs O(1) per entry where a sorted
     * map would box and rebalance.
     */
    private final java.util.ArrayDeque<Submitted> awaitingApply = new java.util.ArrayDeque<>();
    /** The last applied entries, by index modulo the size: a ring, no allocation per entry. */
    private final Applied[] recentlyApplied = new Applied[RECENTLY_APPLIED];
    private final java.util.ArrayDeque<Deadline> deadlines = new java.util.ArrayDeque<>();
    private final Map<Long, PendingRead> reads = new LinkedHashMap<>();
    private final java.util.TreeMap<Long, List<PendingRead>> readsAwaitingApply = new java.util.TreeMap<>();
    private final Map<Long, CompletableFuture<NodeId>> transfers = new LinkedHashMap<>();
    private long appliedIndex;

    private record Submitted(
        long requestId, long index, long term, CompletableFuture<SubmitResult> future) {}

    private record PendingRead(byte[] query, CompletableFuture<byte[]> future) {}

    int size() {
      return awaitingIndex.size() + awaitingApply.size() + reads.size();
    }

    /**
     * The lowest id of a request still waiting for its index, or {@code next} if none: every
     * lower one is settled (ids are handed out in increasing order, and the map keeps that order).
     */
    long lowestAwaitingIndex(long next) {
      return awaitingIndex.isEmpty() ? next : awaitingIndex.keySet().iterator().next();
    }

    void addSubmit(long requestId, CompletableFuture<SubmitResult> future) {
      awaitingIndex.put(requestId, future);
      timeout(requestId, future, "submit");
    }

    /**
     * A membership change completes like a submit, once its entry is applied; it has no timeout
     * of its own, since the leader answers it in any case (learners get a catch-up deadline).
     */
    void addMembershipChange(long requestId, CompletableFuture<SubmitResult> future) {
      awaitingIndex.put(requestId, future);
      membershipChanges.add(requestId);
    }

    void addRead(long requestId, byte[] query, CompletableFuture<byte[]> future) {
      reads.put(requestId, new PendingRead(query, future));
      timeout(requestId, future, "query");
    }

    void addTransfer(long requestId, CompletableFuture<NodeId> future) {
      transfers.put(requestId, future);
      timeout(requestId, future, "leadership transfer");
    }

    /**
     * Every request has the same timeout, so deadlines arrive in order: one queue, checked on each
     * tick, costs far less than a timer task per request.
     */
    private void timeout(long requestId, CompletableFuture<?> future, String what) {
      deadlines.addLast(new Deadline(ticks + requestTimeoutTicks, requestId, future, what));
    }

    void expire(long nowTicks) {
      Deadline d;
      while ((d = deadlines.peekFirst()) != null && (d.future().isDone() || d.tick() <= nowTicks)) {
        deadlines.pollFirst();
        if (!d.future().isDone()) {
          long requestId = d.requestId();
          awaitingIndex.remove(requestId);
          reads.remove(requestId);
          transfers.remove(requestId);
          awaitingApply.removeIf(s -> s.requestId() == requestId);
          d.future().completeExceptionally(new CommitUnknownException("no outcome for the "
              + d.what() + " within " + options.requestTimeoutMillis() + " ms"));
        }
      }
    }

    void onOutcome(Outcome o) {
      if (o instanceof Outcome.ProposalAccepted a) {
        membershipChanges.remove(a.requestId());
        CompletableFuture<SubmitResult> f = awaitingIndex.remove(a.requestId());
        if (f == null) {
          return;
        }
        if (a.index() <= appliedIndex) {
          Applied done = recentlyApplied[(int) (a.index() % RECENTLY_APPLIED)];
          if (done != null && done.index() == a.index()) {
            complete(new Submitted(a.requestId(), a.index(), a.term(), f), done);
          } else {
            f.completeExceptionally(new CommitUnknownException(
                "entry " + a.index() + " was applied before its answer arrived; outcome unknown"));
          }
          return;
        }
        awaitApply(new Submitted(a.requestId(), a.index(), a.term(), f));
      } else if (o instanceof Outcome.Rejected r) {
        boolean change = membershipChanges.remove(r.requestId());
        fail(awaitingIndex.remove(r.requestId()),
            change ? Failures.ofMembershipChange(r) : Failures.ofSubmitOrRead(r));
        PendingRead read = reads.remove(r.requestId());
        if (read != null) {
          read.future().completeExceptionally(Failures.ofSubmitOrRead(r));
        }
        fail(transfers.remove(r.requestId()), Failures.ofTransfer(r));
      } else if (o instanceof Outcome.Unknown u) {
        membershipChanges.remove(u.requestId());
        fail(awaitingIndex.remove(u.requestId()), new CommitUnknownException(u.reason()));
      } else if (o instanceof Outcome.Unchanged u) {
        membershipChanges.remove(u.requestId());
        CompletableFuture<SubmitResult> f = awaitingIndex.remove(u.requestId());
        if (f != null) {
          f.complete(new SubmitResult(core.commitIndex(), core.term(),
              core.configuration().encode()));
        }
      } else if (o instanceof Outcome.ReadIndexReady r) {
        PendingRead read = reads.remove(r.requestId());
        if (read != null) {
          readsAwaitingApply.computeIfAbsent(r.readIndex(), k -> new ArrayList<>()).add(read);
          runReadsUpTo(handedToApplyIndex);
        }
      } else if (o instanceof Outcome.TransferCompleted t) {
        CompletableFuture<NodeId> f = transfers.remove(t.requestId());
        if (f != null) {
          f.complete(t.target());
        }
      }
    }

    private <T> void fail(CompletableFuture<T> f, Throwable e) {
      if (f != null) {
        f.completeExceptionally(e);
      }
    }

    /** Queries whose read index is handed to the apply thread run after it (it is FIFO). */
    void runReadsUpTo(long index) {
      while (!readsAwaitingApply.isEmpty() && readsAwaitingApply.firstKey() <= index) {
        for (PendingRead r : readsAwaitingApply.pollFirstEntry().getValue()) {
          runQuery(r.query(), r.future());
        }
      }
    }

    private void awaitApply(Submitted s) {
      Submitted last = awaitingApply.peekLast();
      if (last == null || last.index() <= s.index()) {
        awaitingApply.addLast(s);
        return;
      }
      List<Submitted> all = new ArrayList<>(awaitingApply); // rare: after a leader change
      all.add(s);
      all.sort(java.util.Comparator.comparingLong(Submitted::index)); // stable
      awaitingApply.clear();
      awaitingApply.addAll(all);
    }

    void onApplied(Applied a) {
      appliedIndex = a.index();
      recentlyApplied[(int) (a.index() % RECENTLY_APPLIED)] = a;
      Submitted s;
      while ((s = awaitingApply.peekFirst()) != null && s.index() <= a.index()) {
        awaitingApply.pollFirst();
        // Two submits may wait on one index (one of them overwritten): the term tells them apart.
        complete(s, a);
      }
    }

    private void complete(Submitted s, Applied a) {
      if (s.term() != a.term()) {
        s.future().completeExceptionally(new NotLeaderException(
            "entry " + a.index() + " was overwritten by a later leader; the command was not applied",
            core == null ? null : core.leader()));
      } else if (a.result() instanceof SessionTable.Last first) {
        // A retried session command is answered as its first application was.
        answer(s.future(), first.index(), first.term(), first.result());
      } else {
        answer(s.future(), a.index(), a.term(), a.result());
      }
    }

    /** Completes with the state machine's result, or its exception. */
    private void answer(CompletableFuture<SubmitResult> f, long index, long term, Object result) {
      if (result instanceof Configuration c) {
        f.complete(new SubmitResult(index, term, c.encode()));
      } else if (result instanceof RuntimeException e) {
        f.completeExceptionally(e);
      } else {
        f.complete(new SubmitResult(index, term, result == null ? new byte[0] : (byte[]) result));
      }
    }

    /** Requests waiting for entries a snapshot replaced cannot learn their results. */
    void onSnapshotInstalled(long index) {
      appliedIndex = Math.max(appliedIndex, index);
      Submitted s;
      while ((s = awaitingApply.peekFirst()) != null && s.index() <= index) {
        awaitingApply.pollFirst().future().completeExceptionally(new CommitUnknownException(
            "the entry was replaced here by a snapshot from the leader before it was applied"));
      }
    }

    /** A leader that stepped down cannot tell whether its uncommitted entries will commit. */
    void onLeadershipLost(long commitIndex) {
      Submitted s;
      while ((s = awaitingApply.peekLast()) != null && s.index() > commitIndex) {
        awaitingApply.pollLast().future().completeExceptionally(new CommitUnknownException(
            "node " + id + " lost leadership before the command was known to be committed"));
      }
    }

    void failAll(FloeException e) {
      awaitingIndex.values().forEach(f -> f.completeExceptionally(e));
      awaitingApply.forEach(s -> s.future().completeExceptionally(e));
      reads.values().forEach(r -> r.future().completeExceptionally(e));
      readsAwaitingApply.values().forEach(l -> l.forEach(r -> r.future().completeExceptionally(e)));
      transfers.values().forEach(f -> f.completeExceptionally(e));
      awaitingIndex.clear();
      membershipChanges.clear();
      awaitingApply.clear();
      reads.clear();
      readsAwaitingApply.clear();
      transfers.clear();
      deadlines.clear();
    }
  }

  /** Builds a {@link RaftNode}. Every setter but the optional ones must be called. */
  public static final class Builder {
    private NodeId id;
    private ClusterId clusterId;
    private List<NodeId> members;
    private boolean joining;
    private MonotonicClock clock = MonotonicClock.SYSTEM;
    private StateMachine stateMachine;
    private Transport transport;
    private LogStore logStore;
    private RaftOptions options = RaftOptions.defaults();
    private EventLoop eventLoop;
    private Executor applyExecutor;
    private RandomGenerator random;
    private SnapshotStore snapshotStore;
    private SnapshotOptions snapshotOptions = SnapshotOptions.defaults();

    private Builder() {}

    /**
     * Where snapshots go, and when to take them (optional): with them, the node snapshots its state
     * machine, compacts its log and brings far-behind followers up to date by InstallSnapshot.
     * The state machine must then implement {@link StateMachine#snapshot} and {@link
     * StateMachine#restore}.
     */
    public Builder snapshots(SnapshotStore store, SnapshotOptions options) {
      this.snapshotStore = Objects.requireNonNull(store, "store");
      this.snapshotOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /** This node's id; it must be one of the members. */
    public Builder id(NodeId id) {
      this.id = id;
      return this;
    }

    /**
     * The cluster this node belongs to: the id chosen when the cluster was founded ({@link
     * ClusterId#random()}), the same on every member. Needed on the node's first start, which
     * records it in the data directory; a later start takes it from there, and checks it if given.
     * The transport checks it on every connection.
     */
    public Builder clusterId(ClusterId clusterId) {
      this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
      return this;
    }

    /**
     * The voters a new cluster is founded with, this node included. On the node's first start they
     * are recorded in its data directory; from then on the stored membership rules (changed only
     * through the log, by {@link RaftNode#addVoter} and {@link RaftNode#removeMember}), so later
     * starts need no members. Members given on a later start are checked: they must be the founding
     * members or the voters in effect, or the start fails.
     */
    public Builder members(List<NodeId> members) {
      this.members = List.copyOf(members);
      return this;
    }

    /**
     * Starts this node with no membership, to enter a running cluster: it takes no part in
     * elections and waits until the leader adds it ({@link RaftNode#addVoter} or {@link
     * RaftNode#addLearner}) and replicates the log to it. Instead of {@link #members}; needed only
     * on the first start (a later start may repeat it).
     */
    public Builder join() {
      this.joining = true;
      return this;
    }

    /**
     * The monotonic clock that leases and the refusal to vote are measured with (optional, for
     * simulation; {@link MonotonicClock#SYSTEM} otherwise).
     */
    public Builder clock(MonotonicClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The application's state machine; it must start empty. */
    public Builder stateMachine(StateMachine stateMachine) {
      this.stateMachine = stateMachine;
      return this;
    }

    /** How this node reaches the others. */
    public Builder transport(Transport transport) {
      this.transport = transport;
      return this;
    }

    /** Where this node keeps its log. */
    public Builder logStore(LogStore logStore) {
      this.logStore = logStore;
      return this;
    }

    /** Tunables (optional; {@link RaftOptions#defaults()} otherwise). */
    public Builder options(RaftOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * The event loop and apply executor to run on (optional, for simulation and tests): by default
     * the node starts one thread for each. The executor must run tasks one at a time, in order.
     */
    public Builder threads(EventLoop eventLoop, Executor applyExecutor) {
      this.eventLoop = Objects.requireNonNull(eventLoop, "eventLoop");
      this.applyExecutor = Objects.requireNonNull(applyExecutor, "applyExecutor");
      return this;
    }

    /** The source of randomness for election timeouts (optional; seeded from entropy otherwise). */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Builds the node (not yet started).
     *
     * @throws NullPointerException if a required setting is missing
     * @throws IllegalArgumentException if the settings are inconsistent
     */
    public RaftNode build() {
      return new RaftNode(this);
    }
  }
}
