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

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The demo's web server: the live page, the whole cluster as JSON for it, and the lab's scenarios
 * as actions for its buttons.
 *
 * <pre>
 *   GET  /, /page.js, /page.css      the page (see PageAssets)
 *   GET  /cluster                    {"demo": true, "nodes": [...], "running", "activity"}
 *   POST /demo/submit                body: values separated by spaces (empty: three new ones)
 *   POST /demo/leadership[?to=n2]    move the leadership (without to: the best candidate)
 *   POST /demo/crash-leader          kill -9 the leader
 *   POST /demo/repair-follower       a follower misses the last entry and is repaired
 *   POST /demo/catch-up[?node=n2]    stop a node (a follower without node), write, start it
 *   POST /demo/start-stopped         start every stopped node
 * </pre>
 *
 * <p>{@code nodes} has one entry per node as {@link ClusterView} describes; the demo knows which
 * processes it started, so a node that is not running is {@code down} with how it ended (killed,
 * stopped) and the values.log it left on disk ({@code "values"}, {@code "fromDisk": true}). {@code
 * running} names the scenario under way (null if none), {@code activity} is what the scenarios
 * said, newest last, each line {@code {"seq", "time", "text"}}.
 *
 * <p>An action answers {@code 202 {"started": name}} at once and runs in the background (see
 * {@link DemoScenarios}; its steps appear in {@code activity}), or {@code 409} while another
 * scenario runs. Actions kill processes, so they are accepted only from the page this server
 * serves: the request must carry the {@value #ACTION_HEADER} header (which a page of another site
 * cannot send without the CORS permission this server never gives) and a {@code Host} naming this
 * server (which a DNS-rebound name does not); anything else is a 403.
 *
 * <p>Runs on Netty's event loop; slow work (HTTP fetches, file reads, the scenarios) runs elsewhere.
 */
@ChannelHandler.Sharable
final class DemoWeb extends SimpleChannelInboundHandler<FullHttpRequest> {
  /** The header the page sends with every action. */
  static final String ACTION_HEADER = "Floe-Demo-Action";
  private static final int ACTIVITY_LINES = 80;
  private static final int MAX_VALUES = 100;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final LocalCluster cluster;
  private final DemoScenarios scenarios;
  private final long watchPauseMillis;
  private final Supplier<InetSocketAddress> localAddress;
  private final ClusterView views = new ClusterView();
  /** Guarded by itself. */
  private final ArrayDeque<ObjectNode> activity = new ArrayDeque<>();
  /** Guarded by activity. */
  private long nextSeq = 1;

  /**
   * Creates the handler.
   *
   * @param cluster the demo's nodes
   * @param scenarios what the buttons run
   * @param watchPauseMillis how long a scenario pauses on a state worth seeing
   * @param localAddress where this server listens, for the {@code Host} check
   */
  DemoWeb(LocalCluster cluster, DemoScenarios scenarios, long watchPauseMillis,
      Supplier<InetSocketAddress> localAddress) {
    this.cluster = cluster;
    this.scenarios = scenarios;
    this.watchPauseMillis = watchPauseMillis;
    this.localAddress = localAddress;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    HttpApi.Exchange ex = new HttpApi.Exchange(ctx, HttpUtil.isKeepAlive(request));
    RequestTarget target;
    try {
      target = RequestTarget.parse(request.uri());
    } catch (RequestTarget.MalformedTargetException e) {
      ex.error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    List<String> path = target.segments();
    PageAssets.Asset asset = path.size() == 1 ? PageAssets.find(path.get(0)) : null;
    boolean get = request.method().equals(HttpMethod.GET);
    if (asset != null || path.equals(List.of("cluster"))) {
      if (!get) {
        ex.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET");
      } else if (asset != null) {
        ex.asset(asset);
      } else {
        cluster(ex);
      }
    } else if (path.size() == 2 && path.get(0).equals("demo")) {
      if (!request.method().equals(HttpMethod.POST)) {
        ex.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST");
      } else if (refusedOrigin(ex, request)) {
        return;
      } else {
        action(ex, path.get(1), target, request.content().toString(StandardCharsets.UTF_8));
      }
    } else {
      ex.error(HttpResponseStatus.NOT_FOUND, "no such path: " + target.path());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  // ------------------------------------------------------------------ GET /cluster

  private void cluster(HttpApi.Exchange ex) {
    List<CompletableFuture<ObjectNode>> entries = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      entries.add(entry(i));
    }
    CompletableFuture.allOf(entries.toArray(CompletableFuture[]::new)).whenComplete((done, error) -> {
      if (error != null) {
        ex.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(error));
        return;
      }
      ObjectNode o = Json.MAPPER.createObjectNode();
      o.put("demo", true);
      ArrayNode nodes = o.putArray("nodes");
      entries.forEach(e -> nodes.add(e.join()));
      o.put("running", scenarios.running());
      ArrayNode lines = o.putArray("activity");
      synchronized (activity) {
        activity.forEach(lines::add);
      }
      ex.json(HttpResponseStatus.OK, o);
    });
  }

  /** Node {@code i}'s entry: its view if it runs and answers, else why not and its values.log. */
  private CompletableFuture<ObjectNode> entry(int i) {
    String id = cluster.id(i);
    URI http = cluster.httpUri(i);
    long pid = cluster.pid(i);
    if (pid < 0) {
      return CompletableFuture.supplyAsync(() -> withDisk(i, ClusterView.down(id, http,
          ended(cluster.exitStatus(i)))));
    }
    return views.fetch(id, http).thenApply(entry -> {
      entry.put("pid", pid);
      if (!entry.path("state").asText().equals("up")) {
        entry.put("reason", "process " + pid + " runs, but its HTTP API does not answer (yet): "
            + entry.path("reason").asText());
        withDisk(i, entry);
      }
      return entry;
    });
  }

  private ObjectNode withDisk(int i, ObjectNode entry) {
    ObjectNode values = NodeView.valuesJson(cluster.valuesLog(i), -1);
    values.put("fromDisk", true);
    entry.set("values", values);
    return entry;
  }

  private static String ended(OptionalInt status) {
    if (status.isEmpty()) {
      return "not started";
    }
    switch (status.getAsInt()) {
      case 137: return "killed (kill -9)";
      case 143: return "stopped (SIGTERM)";
      default: return "exited with status " + status.getAsInt();
    }
  }

  // ------------------------------------------------------------------ POST /demo/...

  private boolean refusedOrigin(HttpApi.Exchange ex, FullHttpRequest request) {
    if (!request.headers().contains(ACTION_HEADER)) {
      ex.error(HttpResponseStatus.FORBIDDEN, "actions come from the demo's page, which sends the "
          + ACTION_HEADER + " header");
      return true;
    }
    String host = request.headers().get(HttpHeaderNames.HOST, "");
    int port = localAddress.get().getPort();
    List<String> allowed = List.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port,
        Addresses.format(localAddress.get()));
    if (!allowed.contains(host)) {
      ex.error(HttpResponseStatus.FORBIDDEN, "the Host header '" + host + "' does not name this "
          + "server (" + String.join(", ", allowed) + ")");
      return true;
    }
    return false;
  }

  private void action(HttpApi.Exchange ex, String action, RequestTarget target, String body) {
    DemoScenarios.Narration n = narration();
    boolean started;
    switch (action) {
      case "submit": {
        List<String> values = body.isBlank() ? List.of()
            : Arrays.stream(body.trim().split("\\s+")).collect(Collectors.toList());
        if (values.size() > MAX_VALUES) {
          ex.error(HttpResponseStatus.BAD_REQUEST, "at most " + MAX_VALUES + " values at once");
          return;
        }
        started = start("submit values", n, x -> scenarios.submitValues(values, x));
        break;
      }
      case "leadership": {
        String to = target.parameter("to");
        if (to != null && !to.isEmpty() && cluster.indexOf(to) < 0) {
          ex.error(HttpResponseStatus.BAD_REQUEST, "no such node: " + to);
          return;
        }
        String chosen = to == null || to.isEmpty() ? null : to;
        started = start("move the leadership" + (chosen == null ? "" : " to " + chosen), n,
            x -> scenarios.moveLeadership(chosen, x));
        break;
      }
      case "crash-leader":
        started = start("crash the leader", n, scenarios::crashLeader);
        break;
      case "repair-follower":
        started = start("a follower misses the last entry", n, scenarios::repairFollower);
        break;
      case "catch-up": {
        String node = target.parameter("node");
        int index = node == null || node.isEmpty() ? -1 : cluster.indexOf(node);
        if (node != null && !node.isEmpty() && index < 0) {
          ex.error(HttpResponseStatus.BAD_REQUEST, "no such node: " + node);
          return;
        }
        started = start("stop a node and watch it catch up", n,
            x -> scenarios.stopAndCatchUp(index, x));
        break;
      }
      case "start-stopped":
        started = start("start every stopped node", n, scenarios::startStopped);
        break;
      default:
        ex.error(HttpResponseStatus.NOT_FOUND, "no such action: " + action);
        return;
    }
    if (started) {
      ObjectNode o = Json.MAPPER.createObjectNode();
      o.put("started", action);
      ex.json(HttpResponseStatus.ACCEPTED, o);
    } else {
      ex.error(HttpResponseStatus.CONFLICT, "another scenario is running: " + scenarios.running()
          + "; wait until it ends");
    }
  }

  private boolean start(String name, DemoScenarios.Narration n, DemoScenarios.Scenario scenario) {
    return scenarios.startInBackground(name, n, x -> {
      x.say("\u25b6 " + name);
      scenario.run(x);
      x.say("done: " + name);
    });
  }

  /** The page's narration: the Activity list (and the demo's terminal), with pauses to watch. */
  private DemoScenarios.Narration narration() {
    return new DemoScenarios.Narration() {
      @Override
      public void say(String line) {
        record(line.strip());
      }

      @Override
      public void note(String line) {
        record(line.strip());
      }

      @Override
      public void pauseToWatch(String what) throws InterruptedException {
        record("watch: " + what + " (" + watchPauseMillis + " ms)");
        TimeUnit.MILLISECONDS.sleep(watchPauseMillis);
      }

      @Override
      public String startStoppedAction() {
        return "\"Start every stopped node\"";
      }
    };
  }

  private void record(String text) {
    System.out.println("[page] " + text);
    ObjectNode line = Json.MAPPER.createObjectNode();
    line.put("time", LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(TIME));
    line.put("text", text);
    synchronized (activity) {
      line.put("seq", nextSeq++);
      activity.addLast(line);
      while (activity.size() > ACTIVITY_LINES) {
        activity.removeFirst();
      }
    }
  }
}
