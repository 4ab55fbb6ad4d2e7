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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The whole cluster as the live page shows it: one entry per node, built from each node's
 * {@code GET /view} (see {@link NodeView}), fetched over HTTP at once from every node, each
 * within {@value #FETCH_TIMEOUT_MILLIS} ms.
 *
 * <pre>
 * {"id": "n2", "http": "http://127.0.0.1:8002", "state": "up", "view": {...GET /view...}}
 * {"id": "n3", "http": "http://127.0.0.1:8003", "state": "down", "reason": "connection refused"}
 * {"id": "n4", "http": null, "state": "unknown", "reason": "..."}
 * </pre>
 * A node's {@code GET /cluster} and the demo's both answer {@code {"nodes": [...]}} with these
 * entries, so the page reads either. Why the server gathers them rather than the page: the page
 * then makes one same-origin request per refresh (the nodes' API needs no CORS opening to other
 * sites), and a node that is down costs the page nothing, however its address fails.
 *
 * <p>Thread-safe; the futures complete on the HTTP client's threads.
 */
final class ClusterView {
  static final long FETCH_TIMEOUT_MILLIS = 1_500;

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofMillis(FETCH_TIMEOUT_MILLIS))
      .build();

  /** A node to show: its id and where its HTTP API is, if known. */
  record Member(String id, URI http, String unknownReason) {}

  /** Fetches every member's view; the entries come in the members' order. */
  CompletableFuture<ArrayNode> fetchAll(List<Member> members) {
    List<CompletableFuture<ObjectNode>> entries = new ArrayList<>();
    for (Member m : members) {
      entries.add(m.http() == null ? CompletableFuture.completedFuture(unknown(m))
          : fetch(m.id(), m.http()));
    }
    return CompletableFuture.allOf(entries.toArray(CompletableFuture[]::new)).thenApply(done -> {
      ArrayNode array = Json.MAPPER.createArrayNode();
      entries.forEach(e -> array.add(e.join()));
      return array;
    });
  }

  /** One node's entry, from its {@code GET /view}; never fails: a node that does not answer is down. */
  CompletableFuture<ObjectNode> fetch(String id, URI base) {
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/view"))
        .timeout(Duration.ofMillis(FETCH_TIMEOUT_MILLIS))
        .GET()
        .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
      if (error != null) {
        return down(id, base, reason(error));
      }
      JsonNode view;
      try {
        view = Json.parse(response.body());
      } catch (IOException e) {
        view = null;
      }
      if (response.statusCode() != 200 || view == null || !view.isObject()) {
        String message = view != null && view.hasNonNull("error") ? view.path("error").asText()
            : "HTTP " + response.statusCode();
        return down(id, base, message);
      }
      return up(id, base, view);
    });
  }

  /** The entry of a node that is up, with its view. */
  static ObjectNode up(String id, URI base, JsonNode view) {
    ObjectNode entry = entry(id, base, "up");
    entry.set("view", view);
    return entry;
  }

  static ObjectNode down(String id, URI base, String reason) {
    ObjectNode entry = entry(id, base, "down");
    entry.put("reason", reason);
    return entry;
  }

  private static ObjectNode unknown(Member m) {
    ObjectNode entry = entry(m.id(), null, "unknown");
    entry.put("reason", m.unknownReason());
    return entry;
  }

  private static ObjectNode entry(String id, URI base, String state) {
    ObjectNode entry = Json.MAPPER.createObjectNode();
    entry.put("id", id);
    entry.put("http", base == null ? null : base.toString());
    entry.put("state", state);
    return entry;
  }

  private static String reason(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (cause instanceof ConnectException) {
      return "connection refused: nothing listens there";
    }
    if (cause instanceof HttpConnectTimeoutException || cause instanceof HttpTimeoutException) {
      return "no answer within " + FETCH_TIMEOUT_MILLIS + " ms";
    }
    return cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }
}
