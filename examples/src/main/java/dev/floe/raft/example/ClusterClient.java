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
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A client of the example's HTTP API, as the lab's client: it submits one value at a time and
 * retries until the value is committed.
 *
 * <p>A value is retried on a 503 (no leader yet), a 504 (outcome unknown) and on connection errors,
 * moving to the next server, or to the leader's server when a refusal names it. Retrying an
 * unknown outcome would risk writing the value twice, so every value carries this client's session
 * id and a sequence number ({@code Floe-Client-Id}, {@code Floe-Sequence}); the state machine writes
 * a repeated pair only once. Other 4xx answers are final.
 *
 * <p>Not thread-safe: one value at a time, which is also what the session requires.
 */
public final class ClusterClient {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  /** A promotion waits up to a minute for its learner to catch up (RaftOptions' default). */
  private static final Duration MEMBERSHIP_REQUEST_TIMEOUT = Duration.ofSeconds(90);
  private static final long RETRY_PAUSE_MILLIS = 100;

  private final List<URI> servers;
  private final HttpClient http;
  private final UUID clientId = UUID.randomUUID();
  private final Map<String, URI> serverById = new HashMap<>();
  private final Duration giveUpAfter;
  private long sequence;
  private int current;

  /**
   * Creates a client.
   *
   * @param servers the nodes' HTTP base addresses, such as {@code http://127.0.0.1:8001}
   * @param giveUpAfter how long one value may be retried before the client gives up on it
   */
  public ClusterClient(List<URI> servers, Duration giveUpAfter) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no servers given");
    }
    this.servers = List.copyOf(servers);
    this.giveUpAfter = Objects.requireNonNull(giveUpAfter, "giveUpAfter");
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  /**
   * Parses {@code http://host:port,http://host:port}; {@code http://} may be left out.
   *
   * @throws IllegalArgumentException if an address is not a valid URI
   */
  public static List<URI> parseServers(String text) {
    List<URI> servers = new ArrayList<>();
    for (String s : text.split(",")) {
      String trimmed = s.trim();
      if (trimmed.endsWith("/")) {
        trimmed = trimmed.substring(0, trimmed.length() - 1);
      }
      if (!trimmed.isEmpty()) {
        servers.add(URI.create(trimmed.contains("://") ? trimmed : "http://" + trimmed));
      }
    }
    return servers;
  }

  /** A committed value: where it is in the log. */
  public record Committed(String value, long index, long term) {}

  /** A value (or a request) that could not be carried out; {@code message} says why. */
  public static final class SubmitFailedException extends Exception {
    private final int status;

    public SubmitFailedException(String message) {
      this(message, 0);
    }

    /** With the HTTP status of the final refusal (0 if there was none, such as on a give-up). */
    public SubmitFailedException(String message, int status) {
      super(message);
      this.status = status;
    }

    /** The HTTP status of the refusal that ended the attempt, or 0 if none did (a give-up). */
    public int status() {
      return status;
    }
  }

  /**
   * Submits {@code value} and waits until it is committed.
   *
   * @throws SubmitFailedException if a server refused it for good (a 4xx), or no server committed
   *     it within the give-up time
   * @throws InterruptedException if interrupted while waiting
   */
  public Committed submit(String value) throws SubmitFailedException, InterruptedException {
    long seq = ++sequence;
    long deadline = System.nanoTime() + giveUpAfter.toNanos();
    String lastProblem = "no attempt made";
    int maxAttempts = 1000;
    for (int attempt = 0; attempt < maxAttempts && System.nanoTime() < deadline; attempt++) {
      URI server = servers.get(current);
      HttpRequest request = HttpRequest.newBuilder(server.resolve("/values"))
          .timeout(REQUEST_TIMEOUT)
          .header(HttpApi.CLIENT_ID_HEADER, clientId.toString())
          .header(HttpApi.SEQUENCE_HEADER, Long.toString(seq))
          .POST(HttpRequest.BodyPublishers.ofString(value, StandardCharsets.UTF_8))
          .build();
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = parseOrNull(response.body());
        if (response.statusCode() == 200 && body != null) {
          return new Committed(value, body.path("index").asLong(), body.path("term").asLong());
        }
        lastProblem = server + " answered " + response.statusCode() + " " + response.body();
        if (response.statusCode() != 503 && response.statusCode() != 504) {
          throw new SubmitFailedException(lastProblem);
        }
        moveTo(body == null ? null : body.path("leader").asText(null));
      } catch (IOException e) {
        lastProblem = server + ": " + e;
        moveTo(null);
      }
      TimeUnit.MILLISECONDS.sleep(RETRY_PAUSE_MILLIS);
    }
    throw new SubmitFailedException("gave up on '" + value + "': " + lastProblem);
  }

  /** One server's answer to {@code GET /status}, or why there was none. */
  public record ServerStatus(URI server, Optional<JsonNode> status, String problem) {}

  /** Asks every server for its status. */
  public List<ServerStatus> status() throws InterruptedException {
    List<ServerStatus> result = new ArrayList<>();
    for (URI server : servers) {
      result.add(statusOf(server));
    }
    return result;
  }

  /**
   * Moves the leadership to {@code to} (or, when null, to the most up-to-date follower), asking
   * each server in turn until the leader accepts.
   *
   * @return the new leader's id
   * @throws SubmitFailedException if no server could do it
   */
  public String transfer(String to) throws SubmitFailedException, InterruptedException {
    String path = to == null ? "/leadership" : "/leadership?to=" + to;
    String lastProblem = "no server answered";
    for (int round = 0; round < 5; round++) {
      for (URI server : servers) {
        HttpRequest request = HttpRequest.newBuilder(server.resolve(path))
            .timeout(REQUEST_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
        try {
          HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
          JsonNode body = parseOrNull(response.body());
          if (response.statusCode() == 200 && body != null) {
            return body.path("leader").asText();
          }
          lastProblem = server + " answered " + response.statusCode() + " " + response.body();
          if (response.statusCode() == 400 || response.statusCode() == 501) {
            throw new SubmitFailedException(lastProblem);
          }
        } catch (IOException e) {
          lastProblem = server + ": " + e;
        }
      }
      TimeUnit.MILLISECONDS.sleep(RETRY_PAUSE_MILLIS * 3);
    }
    throw new SubmitFailedException(lastProblem);
  }

  /**
   * The cluster's configuration ({@code GET /members}) as the leader sees it, or as the first
   * server that answers sees it when no leader answers.
   *
   * @throws SubmitFailedException if no server answered
   */
  public JsonNode members() throws SubmitFailedException, InterruptedException {
    List<URI> order = new ArrayList<>(servers);
    for (ServerStatus s : status()) {
      if (s.status().isPresent() && s.status().get().path("role").asText().equals("leader")) {
        order.remove(s.server());
        order.add(0, s.server());
      }
    }
    String lastProblem = "no server answered";
    for (URI server : order) {
      HttpRequest request = HttpRequest.newBuilder(server.resolve("/members"))
          .timeout(Duration.ofSeconds(5)).GET().build();
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = parseOrNull(response.body());
        if (response.statusCode() == 200 && body != null) {
          return body;
        }
        lastProblem = server + " answered " + response.statusCode() + " " + response.body();
      } catch (IOException e) {
        lastProblem = server + ": " + e;
      }
    }
    throw new SubmitFailedException(lastProblem);
  }

  /**
   * Sends a membership change ({@code POST /members}, {@code POST /members/ID/promote} or
   * {@code DELETE /members/ID}) to the leader and waits until it is committed, retrying until the
   * give-up time: at the leader's server when a 409 names it, at the next server on a 503, a 504 or
   * a lost connection. Repeating a change is safe: adding a member again, promoting a voter or
   * removing a non-member changes nothing. Other answers are final.
   *
   * @param method {@code POST} or {@code DELETE}
   * @param path such as {@code /members} or {@code /members/n4}
   * @param json the body, or null for none
   * @return the configuration after the change, as the leader answered it
   * @throws SubmitFailedException with the refusal's status if refused (400, 422...), or 0 if no
   *     leader carried it out within the give-up time
   */
  public JsonNode changeMembers(String method, String path, String json)
      throws SubmitFailedException, InterruptedException {
    long deadline = System.nanoTime() + giveUpAfter.toNanos();
    String lastProblem = "no attempt made";
    do {
      URI server = servers.get(current);
      HttpRequest request = HttpRequest.newBuilder(server.resolve(path))
          .timeout(MEMBERSHIP_REQUEST_TIMEOUT)
          .header("Content-Type", "application/json")
          .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
          .build();
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = parseOrNull(response.body());
        int code = response.statusCode();
        if (code == 200 && body != null) {
          return body;
        }
        lastProblem = server + " answered " + code + " " + response.body();
        if (code != 409 && code != 503 && code != 504) {
          throw new SubmitFailedException(lastProblem, code);
        }
        String leader = body == null ? null : body.path("leader").asText(null);
        moveTo(leader);
        if (code == 409 && leader != null && !serverById.containsKey(leader)) {
          lastProblem += "; the leader " + leader + " is not among the servers";
        }
      } catch (IOException e) {
        lastProblem = server + ": " + e;
        moveTo(null);
      }
      TimeUnit.MILLISECONDS.sleep(RETRY_PAUSE_MILLIS);
    } while (System.nanoTime() < deadline);
    throw new SubmitFailedException("gave up: " + lastProblem);
  }

  private ServerStatus statusOf(URI server) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(server.resolve("/status"))
        .timeout(Duration.ofSeconds(2)).GET().build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body = parseOrNull(response.body());
      if (response.statusCode() == 200 && body != null) {
        serverById.put(body.path("id").asText(), server);
        return new ServerStatus(server, Optional.of(body), null);
      }
      return new ServerStatus(server, Optional.empty(), "HTTP " + response.statusCode());
    } catch (IOException e) {
      return new ServerStatus(server, Optional.empty(), "unreachable (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Next server: the named leader's if its address is known, otherwise the next in the list. */
  private void moveTo(String leaderId) throws InterruptedException {
    if (leaderId != null && !serverById.containsKey(leaderId) && serverById.size() < servers.size()) {
      status(); // learns which server is which node
    }
    URI leader = leaderId == null ? null : serverById.get(leaderId);
    int index = leader == null ? -1 : servers.indexOf(leader);
    current = index >= 0 && index != current ? index : (current + 1) % servers.size();
  }

  private static JsonNode parseOrNull(String body) {
    try {
      return Json.parse(body);
    } catch (IOException e) {
      return null;
    }
  }
}
