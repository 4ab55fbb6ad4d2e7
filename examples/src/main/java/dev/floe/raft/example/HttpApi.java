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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.floe.raft.CommitUnknownException;
import dev.floe.raft.FloeException;
import dev.floe.raft.NodeStoppedException;
import dev.floe.raft.NotLeaderException;
import dev.floe.raft.OverloadedException;
import dev.floe.raft.RaftNode;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.ReadConsistency;
import dev.floe.raft.SubmitResult;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.cluster.Role;
import dev.floe.raft.transport.netty.NettyTransport;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The example's HTTP API, a Netty handler in front of one {@link RaftNode}.
 *
 * <pre>
 *   POST   /values            body: the value (UTF-8)      200 {"index","term"} once committed and
 *                                                          written to this node's values.log
 *   GET    /status                                         200 {"id","clusterId","role","failure",
 *                                                          "term","leader",...,"snapshotIndex"}
 *   POST   /leadership[?to=ID]                             200 {"leader"} once the target leads
 *   GET    /members                                        200 {"node","leader","voters",
 *                                                          "learners","addresses"}
 *   POST   /members           {"id","address","role",      200 the new configuration, once the
 *                              "clusterId"}
 *                                                          change is committed
 *   POST   /members/{id}/promote                           200 the new configuration
 *   DELETE /members/{id}                                   200 the new configuration
 *   PUT    /kv/{key}          body: the value              200 {"index","term"}
 *   GET    /kv/{key}                                       200 the value, or 404
 *   DELETE /kv/{key}                                       200 {"index","term","existed"}
 *   GET    /view                                           200 this node's status, log tail and
 *                                                          values.log tail (see NodeView)
 *   GET    /cluster                                        200 {"nodes"}: every node's view (see
 *                                                          ClusterView)
 *   POST   /backup                                         200 a backup file (see BackupRoute)
 *   GET    /, /page.js, /page.css                          the live page (see PageAssets)
 *   GET    /metrics                                        200 the node's meters, as Prometheus
 *                                                          text (see PrometheusText)
 * </pre>
 *
 * <p>Each path segment is percent-decoded once, as strict UTF-8 (see {@link RequestTarget}): a key
 * is one segment ({@code /kv/x%2Fy} is the key {@code x/y}); an empty key, a target that is not
 * ASCII, a bad {@code %} escape or invalid UTF-8 is a 400 that says so.
 *
 * <p>Errors are JSON {@code {"error": ..., "leader": ...}}: 400 for a malformed request, 404 for an
 * unknown path, 405 for a wrong method, 413 for a body over {@value #MAX_BODY_BYTES} bytes, 503 when
 * no leader is known within {@value #NO_LEADER_RETRY_MILLIS} ms (with the leader hint when there is
 * one), 504 when the outcome of a write is unknown (its leader was lost before it was known to be
 * committed: it may or may not be in the log). {@code POST /leadership} on a node that does not lead
 * answers 409 with the leader's id: the node does not know the other nodes' HTTP addresses, so the
 * client retries there (the {@code transfer} command tries every server it was given). Membership
 * changes are answered the same way; a change the cluster refuses (removing the last voter,
 * promoting a node that is not a learner, a learner that did not catch up) is a 422, and an
 * unknown outcome a 504 (repeating a membership change is safe: each one is idempotent). A {@code
 * clusterId} in a {@code POST /members} (a joining node sends its own) must be this node's: a 400
 * otherwise, so that a node never joins another cluster's log.
 *
 * <p>A node that stopped taking part (its storage failed: {@code "role": "stopped"} and the
 * {@code failure} in {@code /status}) answers every request that needs the node (writes, reads,
 * leadership and membership changes) with a 503 naming the failure; {@code /status},
 * {@code GET /members} and {@code GET /metrics} still answer, so that the failure can be seen.
 *
 * <p>Writes may carry {@code Floe-Client-Id} (a UUID) and {@code Floe-Sequence} (a number growing by
 * one per value) headers: a retried value with the same pair is written once (see
 * {@link ValuesStateMachine}). This is what lets the {@code submit} client retry after a 504 or a
 * lost connection without writing a value twice.
 *
 * <h2>Threading</h2>
 * Runs on Netty's event loop and never blocks it: every Raft future completes the response from its
 * callback, and retries are scheduled on the channel's event loop.
 */
@ChannelHandler.Sharable
final class HttpApi extends SimpleChannelInboundHandler<FullHttpRequest> {
  /** The largest value or request body accepted, in bytes. */
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** How long a write waits for a leader before answering 503. */
  static final long NO_LEADER_RETRY_MILLIS = 5_000;
  private static final long RETRY_INTERVAL_MILLIS = 50;
  static final String CLIENT_ID_HEADER = "Floe-Client-Id";
  static final String SEQUENCE_HEADER = "Floe-Sequence";

  private static final Set<String> MEMBER_FIELDS = Set.of("id", "address", "role", "clusterId");

  private final RaftNode node;
  private final LongSupplier snapshotIndex;
  private final Map<NodeId, String> staticAddresses;
  private final NodeView view;
  private final Map<NodeId, URI> clusterHttp;
  /** {@code POST /backup}, or null when not served (see {@link #withBackups}). */
  private BackupRoute backups;
  private final MeterRegistry metrics;
  /** Created at the first {@code GET /cluster}: a node nobody watches opens no HTTP client. */
  private volatile ClusterView clusterView;

  /**
   * Creates the API.
   *
   * @param node the node it serves
   * @param snapshotIndex the index of the node's latest snapshot (0 for none)
   * @param staticAddresses the Raft addresses from the node's {@code --cluster}, as {@code host:port},
   *     shown by {@code GET /members} for members whose configuration entry has no address
   * @param view what {@code GET /view} answers
   * @param clusterHttp the HTTP addresses of the cluster's nodes ({@code --cluster-http}), this
   *     one's included, from which {@code GET /cluster} fetches their views; may be empty
   * @param metrics the registry the node's meters are in, served by {@code GET /metrics}
   */
  HttpApi(RaftNode node, LongSupplier snapshotIndex, Map<NodeId, String> staticAddresses,
      NodeView view, Map<NodeId, URI> clusterHttp, MeterRegistry metrics) {
    this.node = Objects.requireNonNull(node, "node");
    this.snapshotIndex = Objects.requireNonNull(snapshotIndex, "snapshotIndex");
    this.staticAddresses = Map.copyOf(staticAddresses);
    this.view = Objects.requireNonNull(view, "view");
    this.clusterHttp = Map.copyOf(clusterHttp);
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /**
   * Serves {@code POST /backup} (see {@link BackupRoute}), writing backups in {@code dir}. Called
   * before the API serves.
   */
  HttpApi withBackups(Path dir) {
    this.backups = new BackupRoute(node, dir);
    return this;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    Exchange ex = new Exchange(ctx, HttpUtil.isKeepAlive(request));
    if (!request.decoderResult().isSuccess()) {
      ex.error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
      return;
    }
    HttpMethod method = request.method();
    byte[] body = ByteBufUtil.getBytes(request.content());
    try {
      RequestTarget target = target(request.uri());
      List<String> path = target.segments();
      String first = path.get(0);
      PageAssets.Asset asset = path.size() == 1 ? PageAssets.find(first) : null;
      if (asset != null) {
        requireMethod(method, HttpMethod.GET);
        ex.asset(asset);
      } else if (path.size() == 1 && first.equals("values")) {
        requireMethod(method, HttpMethod.POST);
        postValue(ex, request, body);
      } else if (path.size() == 1 && first.equals("status")) {
        requireMethod(method, HttpMethod.GET);
        ex.json(HttpResponseStatus.OK,
            Json.status(node.status(), node.clusterId(), snapshotIndex.getAsLong()));
      } else if (path.size() == 1 && first.equals("metrics")) {
        requireMethod(method, HttpMethod.GET);
        ex.bytes(HttpResponseStatus.OK,
            PrometheusText.render(metrics).getBytes(StandardCharsets.UTF_8),
            PrometheusText.CONTENT_TYPE);
      } else if (path.size() == 1 && first.equals("view")) {
        requireMethod(method, HttpMethod.GET);
        // Reads files: off the event loop.
        CompletableFuture.supplyAsync(view::toJson).whenComplete((json, error) -> {
          if (error == null) {
            ex.json(HttpResponseStatus.OK, json);
          } else {
            ex.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(unwrap(error)));
          }
        });
      } else if (path.size() == 1 && first.equals("cluster")) {
        requireMethod(method, HttpMethod.GET);
        cluster(ex);
      } else if (path.size() == 1 && first.equals("backup") && backups != null) {
        requireMethod(method, HttpMethod.POST);
        backups.serve(ex);
      } else if (path.size() == 1 && first.equals("leadership")) {
        requireMethod(method, HttpMethod.POST);
        String to = target.parameter("to");
        transfer(ex, to == null || to.isEmpty() ? null : to);
      } else if (first.equals("members")) {
        members(ex, method, path.subList(1, path.size()), body);
      } else if (first.equals("kv")) {
        keyValue(ex, method, path.subList(1, path.size()), body);
      } else {
        ex.error(HttpResponseStatus.NOT_FOUND, "no such path: " + target.path());
      }
    } catch (BadRequest e) {
      ex.error(e.status, e.getMessage());
    }
  }

  private static RequestTarget target(String uri) {
    try {
      return RequestTarget.parse(uri);
    } catch (RequestTarget.MalformedTargetException e) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, e.getMessage());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  // ------------------------------------------------------------------ routes

  private void postValue(Exchange ex, FullHttpRequest request, byte[] body) {
    checkBodySize(body);
    String value = new String(body, StandardCharsets.UTF_8);
    if (!Arrays.equals(value.getBytes(StandardCharsets.UTF_8), body)) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, "the value is not valid UTF-8");
    }
    try {
      ValuesStateMachine.checkValue(value);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, e.getMessage());
    }
    byte[] command = sessionOf(request) == null
        ? ValuesStateMachine.write(value)
        : ValuesStateMachine.write(sessionOf(request), sequenceOf(request), value);
    submit(ex, CompositeStateMachine.route(CompositeStateMachine.VALUES, command), r -> {
      ObjectNode o = Json.MAPPER.createObjectNode();
      long writtenAt = ByteBuffer.wrap(r.result()).getLong();
      o.put("index", writtenAt);
      o.put("term", r.term());
      if (writtenAt != r.index()) {
        o.put("duplicate", true); // a retry of a session write that was already applied
      }
      return o;
    });
  }

  private void transfer(Exchange ex, String to) {
    if (answeredStopped(ex)) {
      return;
    }
    NodeId target = null;
    if (to != null) {
      try {
        target = NodeId.of(to);
      } catch (IllegalArgumentException e) {
        throw new BadRequest(HttpResponseStatus.BAD_REQUEST, e.getMessage());
      }
      if (!node.status().members().contains(target)) {
        throw new BadRequest(HttpResponseStatus.BAD_REQUEST,
            node.status().learners().contains(target)
                ? to + " is a learner: only a voter can lead" : "no such member: " + to);
      }
      if (target.equals(node.id()) && node.status().isLeader()) {
        ex.json(HttpResponseStatus.OK, leaderJson(target));
        return;
      }
    }
    node.transferLeadership(target).whenComplete((leader, error) -> {
      if (error == null) {
        ex.json(HttpResponseStatus.OK, leaderJson(leader));
        return;
      }
      Throwable cause = unwrap(error);
      if (cause instanceof NotLeaderException) {
        NotLeaderException e = (NotLeaderException) cause;
        ex.json(HttpResponseStatus.CONFLICT, Json.error("this node is not the leader: "
            + "send the transfer to the leader", e.leaderHint().orElse(leaderHint())));
      } else {
        ex.json(HttpResponseStatus.CONFLICT, Json.error(String.valueOf(cause.getMessage()), leaderHint()));
      }
    });
  }

  /** {@code rest} are the segments after {@code members}: none, {@code [ID]} or {@code [ID, promote]}. */
  private void members(Exchange ex, HttpMethod method, List<String> rest, byte[] body) {
    if (rest.isEmpty() || rest.equals(List.of(""))) {
      if (method.equals(HttpMethod.GET)) {
        ex.json(HttpResponseStatus.OK,
            Json.members(node.id(), leaderHint(), node.configuration(), staticAddresses));
      } else if (method.equals(HttpMethod.POST)) {
        addMember(ex, body);
      } else {
        throw new BadRequest(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET or POST");
      }
      return;
    }
    if (rest.size() == 1) {
      requireMethod(method, HttpMethod.DELETE);
      NodeId member = memberId(rest.get(0));
      changeMembership(ex, () -> node.removeMember(member));
    } else if (rest.size() == 2 && rest.get(1).equals("promote")) {
      requireMethod(method, HttpMethod.POST);
      NodeId learner = memberId(rest.get(0));
      changeMembership(ex, () -> node.promote(learner));
    } else {
      ex.error(HttpResponseStatus.NOT_FOUND, "no such path: /members/" + String.join("/", rest));
    }
  }

  /** {@code {"id":"n4","address":"127.0.0.1:7004","role":"voter"}}; the role defaults to voter. */
  private void addMember(Exchange ex, byte[] body) {
    checkBodySize(body);
    JsonNode request;
    try {
      request = Json.parse(body);
    } catch (JsonProcessingException e) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, "the body is not JSON: "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, "the body is not JSON: " + e);
    }
    if (request == null || !request.isObject()) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST,
          "the body must be a JSON object such as {\"id\":\"n4\",\"address\":\"127.0.0.1:7004\"}");
    }
    for (Iterator<String> names = request.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!MEMBER_FIELDS.contains(name)) {
        throw new BadRequest(HttpResponseStatus.BAD_REQUEST,
            "unknown field '" + name + "': use id, address, role and clusterId");
      }
    }
    String clusterId = textField(request, "clusterId", false);
    String ours = node.clusterId().map(ClusterId::value).orElse(null);
    if (clusterId != null && !clusterId.equals(ours)) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, "cluster id mismatch: the request is "
          + "for cluster '" + clusterId + "', this node belongs to cluster '" + ours + "'");
    }
    NodeId member = memberId(textField(request, "id", true));
    String address = textField(request, "address", true);
    try {
      // The transports parse it this way when the configuration reaches them.
      NettyTransport.parseAddress(address);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, "bad address: " + e.getMessage());
    }
    String role = Optional.ofNullable(textField(request, "role", false)).orElse("voter");
    if (role.equals("voter")) {
      changeMembership(ex, () -> node.addVoter(member, address));
    } else if (role.equals("learner")) {
      changeMembership(ex, () -> node.addLearner(member, address));
    } else {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST,
          "role must be voter or learner, not '" + role + "'");
    }
  }

  private static String textField(JsonNode request, String name, boolean required) {
    JsonNode field = request.get(name);
    if (field == null || field.isNull()) {
      if (required) {
        throw new BadRequest(HttpResponseStatus.BAD_REQUEST, "missing field '" + name + "'");
      }
      return null;
    }
    if (!field.isTextual()) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, "field '" + name + "' must be a string");
    }
    return field.asText();
  }

  /** The id in a path segment (decoded once by {@link RequestTarget}). */
  private static NodeId memberId(String text) {
    try {
      return NodeId.of(text);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, e.getMessage());
    }
  }

  /**
   * Runs a membership change on this node and answers with the configuration it produced. On a
   * node that does not lead, answers 409 with the leader's id, as {@code POST /leadership} does
   * (a node does not know the others' HTTP addresses); while no leader is known, a voter retries
   * for up to {@value #NO_LEADER_RETRY_MILLIS} ms, then answers 503; a node that is not a voter
   * answers 503 at once.
   */
  private void changeMembership(Exchange ex, Supplier<CompletableFuture<Configuration>> change) {
    if (answeredStopped(ex)) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(NO_LEADER_RETRY_MILLIS);
    changeMembership(ex, change, deadline);
  }

  private void changeMembership(Exchange ex, Supplier<CompletableFuture<Configuration>> change,
      long deadline) {
    change.get().whenComplete((configuration, error) -> {
      if (error == null) {
        ex.json(HttpResponseStatus.OK,
            Json.members(node.id(), leaderHint(), configuration, staticAddresses));
        return;
      }
      Throwable cause = unwrap(error);
      if (cause instanceof NotLeaderException) {
        NodeId leader = ((NotLeaderException) cause).leaderHint().orElse(leaderHint());
        if (leader != null && !leader.equals(node.id())) {
          ex.json(HttpResponseStatus.CONFLICT, Json.error("this node is not the leader: send "
              + "membership changes to the leader", leader));
        } else if (System.nanoTime() < deadline && ex.ctx.channel().isActive()
            && node.status().members().contains(node.id())) {
          // Refused with no effect and no leader to name yet: wait for an election. (A node that
          // is not a voter, such as one waiting to join or one removed, may never learn of one.)
          ex.ctx.executor().schedule(() -> changeMembership(ex, change, deadline),
              RETRY_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        } else {
          ex.json(HttpResponseStatus.SERVICE_UNAVAILABLE, Json.error(
              node.status().members().contains(node.id())
                  ? "no leader within " + NO_LEADER_RETRY_MILLIS + " ms: " + cause.getMessage()
                  : "this node is not a voter and knows no leader: ask another node", null));
        }
      } else if (cause instanceof CommitUnknownException) {
        ex.json(HttpResponseStatus.GATEWAY_TIMEOUT, Json.error("outcome unknown: the change may "
            + "or may not be committed (" + cause.getMessage() + "); repeating it is safe",
            leaderHint()));
      } else if (cause instanceof OverloadedException || cause instanceof NodeStoppedException) {
        ex.json(HttpResponseStatus.SERVICE_UNAVAILABLE, Json.error(cause.getMessage(), leaderHint()));
      } else if (cause instanceof FloeException) {
        // Refused by the cluster's rules, with no effect.
        ex.error(HttpResponseStatus.UNPROCESSABLE_ENTITY, "refused: " + cause.getMessage());
      } else {
        ex.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(cause));
      }
    });
  }

  /**
   * {@code rest} are the segments after {@code kv}: exactly one, the key, decoded once (so
   * {@code %2F} is a slash in the key and {@code %25} a percent sign).
   */
  private void keyValue(Exchange ex, HttpMethod method, List<String> rest, byte[] body) {
    if (rest.isEmpty()) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, "no key: use /kv/{key}");
    }
    if (rest.size() > 1) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, "a key is one path segment: write a "
          + "'/' in a key as %2F");
    }
    String key = rest.get(0);
    if (key.isEmpty()) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, "the key is empty: use /kv/{key} with a "
          + "key of 1 to " + KeyValueStateMachine.MAX_KEY_BYTES + " bytes");
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > KeyValueStateMachine.MAX_KEY_BYTES) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, "key longer than "
          + KeyValueStateMachine.MAX_KEY_BYTES + " bytes");
    }
    if (method.equals(HttpMethod.PUT)) {
      checkBodySize(body);
      byte[] command = KeyValueStateMachine.put(key, body);
      submit(ex, CompositeStateMachine.route(CompositeStateMachine.KEY_VALUE, command),
          r -> indexJson(r));
    } else if (method.equals(HttpMethod.DELETE)) {
      byte[] command = KeyValueStateMachine.delete(key);
      submit(ex, CompositeStateMachine.route(CompositeStateMachine.KEY_VALUE, command),
          r -> indexJson(r).put("existed", r.result().length == 1 && r.result()[0] == 1));
    } else if (method.equals(HttpMethod.GET)) {
      byte[] query = CompositeStateMachine.route(CompositeStateMachine.KEY_VALUE,
          KeyValueStateMachine.get(key));
      read(ex, query, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(NO_LEADER_RETRY_MILLIS));
    } else {
      throw new BadRequest(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET, PUT or DELETE");
    }
  }

  /**
   * {@code {"demo": false, "self": "n1", "nodes": [...]}}: this node's view and every other
   * node's, fetched from its {@code --cluster-http} address (see {@link ClusterView}); a member
   * whose address this node was not given is listed as {@code unknown}.
   */
  private void cluster(Exchange ex) {
    TreeSet<String> ids = new TreeSet<>();
    clusterHttp.keySet().forEach(id -> ids.add(id.value()));
    node.configuration().members().forEach(id -> ids.add(id.value()));
    ids.add(node.id().value());
    List<ClusterView.Member> others = new ArrayList<>();
    for (String id : ids) {
      if (!id.equals(node.id().value())) {
        URI http = clusterHttp.get(NodeId.of(id));
        others.add(new ClusterView.Member(id, http, "this node was not given its HTTP address: "
            + "start the nodes with --cluster-http n1=host:port,n2=..."));
      }
    }
    URI self = clusterHttp.get(node.id());
    CompletableFuture<ObjectNode> own = CompletableFuture.supplyAsync(
        () -> ClusterView.up(node.id().value(), self, view.toJson()));
    CompletableFuture<ArrayNode> rest = clusterView().fetchAll(others);
    own.thenCombine(rest, (mine, theirs) -> {
      ObjectNode o = Json.MAPPER.createObjectNode();
      o.put("demo", false);
      o.put("self", node.id().value());
      ArrayNode nodes = o.putArray("nodes");
      int at = 0;
      for (String id : ids) {
        nodes.add(id.equals(node.id().value()) ? mine : theirs.get(at++));
      }
      return o;
    }).whenComplete((json, error) -> {
      if (error == null) {
        ex.json(HttpResponseStatus.OK, json);
      } else {
        ex.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(unwrap(error)));
      }
    });
  }

  private ClusterView clusterView() {
    ClusterView v = clusterView;
    if (v == null) {
      synchronized (this) {
        if (clusterView == null) {
          clusterView = new ClusterView();
        }
        v = clusterView;
      }
    }
    return v;
  }

  // ------------------------------------------------------------------ Raft calls

  /** Submits, retrying while no leader is known, and answers from the future's callback. */
  private void submit(Exchange ex, byte[] command, Function<SubmitResult, ObjectNode> success) {
    if (answeredStopped(ex)) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(NO_LEADER_RETRY_MILLIS);
    retrying(ex, () -> node.submit(command), deadline,
        r -> ex.json(HttpResponseStatus.OK, success.apply(r)));
  }

  private void read(Exchange ex, byte[] query, long deadline) {
    if (answeredStopped(ex)) {
      return;
    }
    retrying(ex, () -> node.query(query, ReadConsistency.LINEARIZABLE), deadline, answer -> {
      if (answer.length == 0 || answer[0] == 0) {
        ex.error(HttpResponseStatus.NOT_FOUND, "no such key");
      } else {
        ex.bytes(HttpResponseStatus.OK, Arrays.copyOfRange(answer, 1, answer.length),
            "application/octet-stream");
      }
    });
  }

  private <T> void retrying(Exchange ex, Supplier<CompletableFuture<T>> call, long deadline,
      java.util.function.Consumer<T> success) {
    call.get().whenComplete((result, error) -> {
      if (error == null) {
        success.accept(result);
        return;
      }
      Throwable cause = unwrap(error);
      if (cause instanceof NotLeaderException && System.nanoTime() < deadline
          && ex.ctx.channel().isActive()) {
        // No effect happened: safe to retry once a leader is known.
        ex.ctx.executor().schedule(() -> retrying(ex, call, deadline, success),
            RETRY_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        return;
      }
      answerFailure(ex, cause);
    });
  }

  private void answerFailure(Exchange ex, Throwable cause) {
    if (cause instanceof NotLeaderException) {
      NotLeaderException e = (NotLeaderException) cause;
      ex.json(HttpResponseStatus.SERVICE_UNAVAILABLE, Json.error("no leader within "
          + NO_LEADER_RETRY_MILLIS + " ms: " + e.getMessage(), e.leaderHint().orElse(leaderHint())));
    } else if (cause instanceof CommitUnknownException) {
      ex.json(HttpResponseStatus.GATEWAY_TIMEOUT, Json.error("outcome unknown: the write may or "
          + "may not be committed (" + cause.getMessage() + ")", leaderHint()));
    } else if (cause instanceof OverloadedException || cause instanceof NodeStoppedException) {
      ex.json(HttpResponseStatus.SERVICE_UNAVAILABLE, Json.error(cause.getMessage(), leaderHint()));
    } else if (cause instanceof IllegalArgumentException) {
      ex.error(HttpResponseStatus.BAD_REQUEST, "rejected by the state machine: " + cause.getMessage());
    } else if (cause instanceof FloeException) {
      ex.json(HttpResponseStatus.SERVICE_UNAVAILABLE, Json.error(cause.getMessage(), leaderHint()));
    } else {
      ex.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(cause));
    }
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Answers 503 naming the failure if the node stopped taking part in the cluster (its storage
   * failed); returns whether it did. Nothing it could do would be durable or acknowledged.
   */
  private boolean answeredStopped(Exchange ex) {
    RaftStatus s = node.status();
    if (s.role() != Role.STOPPED) {
      return false;
    }
    ex.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "node " + s.id() + " has stopped taking part "
        + "in the cluster: " + s.failure().orElse("no failure recorded") + ". Send requests to "
        + "another node; restart this one once the cause is fixed, or replace it");
    return true;
  }

  private NodeId leaderHint() {
    return node.status().leader().orElse(null);
  }

  private static ObjectNode leaderJson(NodeId leader) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("leader", leader.value());
    return o;
  }

  private static ObjectNode indexJson(SubmitResult r) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("index", r.index());
    o.put("term", r.term());
    return o;
  }

  private static void checkBodySize(byte[] body) {
    if (body.length > MAX_BODY_BYTES) {
      throw new BadRequest(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "body of " + body.length + " bytes is over the limit of " + MAX_BODY_BYTES);
    }
  }

  private static void requireMethod(HttpMethod actual, HttpMethod expected) {
    if (!actual.equals(expected)) {
      throw new BadRequest(HttpResponseStatus.METHOD_NOT_ALLOWED, "use " + expected);
    }
  }

  private static UUID sessionOf(FullHttpRequest request) {
    String id = request.headers().get(CLIENT_ID_HEADER);
    if (id == null) {
      return null;
    }
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST, CLIENT_ID_HEADER + " is not a UUID");
    }
  }

  private static long sequenceOf(FullHttpRequest request) {
    String seq = request.headers().get(SEQUENCE_HEADER);
    try {
      return Long.parseLong(Objects.requireNonNull(seq));
    } catch (NullPointerException | NumberFormatException e) {
      throw new BadRequest(HttpResponseStatus.BAD_REQUEST,
          CLIENT_ID_HEADER + " needs a numeric " + SEQUENCE_HEADER + " header");
    }
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** A request that is answered at once with a 4xx. */
  private static final class BadRequest extends RuntimeException {
    final HttpResponseStatus status;

    BadRequest(HttpResponseStatus status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /** One request's channel, answered exactly once, from any thread. */
  static final class Exchange {
    final ChannelHandlerContext ctx;
    private final boolean keepAlive;

    Exchange(ChannelHandlerContext ctx, boolean keepAlive) {
      this.ctx = ctx;
      this.keepAlive = keepAlive;
    }

    void error(HttpResponseStatus status, String message) {
      json(status, Json.error(message, null));
    }

    void json(HttpResponseStatus status, JsonNode body) {
      bytes(status, Json.bytes(body), "application/json");
    }

    /** Serves a file of the page, which the browser must check for changes before each use. */
    void asset(PageAssets.Asset asset) {
      bytes(HttpResponseStatus.OK, asset.bytes(), asset.contentType());
    }

    /** Answers {@code body}; {@code headers} are extra (name, value) pairs. */
    void bytes(HttpResponseStatus status, byte[] body, String contentType, String... headers) {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
          Unpooled.wrappedBuffer(body));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
      for (int i = 0; i + 1 < headers.length; i += 2) {
        response.headers().set(headers[i], headers[i + 1]);
      }
      response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
      response.headers().set("x-content-type-options", "nosniff");
      if (contentType.startsWith("text/html")) {
        // The page loads nothing from elsewhere; the browser is told to refuse it if it tried.
        response.headers().set("content-security-policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
      }
      HttpUtil.setContentLength(response, body.length);
      if (keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
