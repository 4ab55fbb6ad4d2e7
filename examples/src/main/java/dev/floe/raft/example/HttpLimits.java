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

/**
 * How long the HTTP server waits for a client, and how many clients it serves at once: what keeps a
 * slow or idle client from holding the server's connections (see {@link ConnectionGuard}).
 *
 * @param headerTimeoutMillis how long a request's head (request line and headers) may take to
 *     arrive, from the connection's opening for its first request, from the request's first byte
 *     for later ones; past it the client gets a 408 and the connection closes
 * @param idleTimeoutMillis how long a keep-alive connection may wait for its next request after a
 *     response; past it the connection closes (no response: no request was begun)
 * @param bodyTimeoutMillis how long a request's body may take to arrive after its head; past it the
 *     client gets a 408 and the connection closes
 * @param maxConnections how many connections are served at once; one more is answered 503 and
 *     closed
 */
record HttpLimits(long headerTimeoutMillis, long idleTimeoutMillis, long bodyTimeoutMillis,
    int maxConnections) {
  static final long DEFAULT_HEADER_TIMEOUT_MILLIS = 10_000;
  static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 60_000;
  static final long DEFAULT_BODY_TIMEOUT_MILLIS = 30_000;
  static final int DEFAULT_MAX_CONNECTIONS = 256;

  /** The defaults: 10 s for a head, 60 s idle, 30 s for a body, 256 connections. */
  static final HttpLimits DEFAULTS = new HttpLimits(DEFAULT_HEADER_TIMEOUT_MILLIS,
      DEFAULT_IDLE_TIMEOUT_MILLIS, DEFAULT_BODY_TIMEOUT_MILLIS, DEFAULT_MAX_CONNECTIONS);

  /**
   * Checks the limits.
   *
   * @throws IllegalArgumentException naming the first limit below 1
   */
  HttpLimits {
    requireAtLeastOne("the header timeout", headerTimeoutMillis);
    requireAtLeastOne("the idle timeout", idleTimeoutMillis);
    requireAtLeastOne("the body timeout", bodyTimeoutMillis);
    requireAtLeastOne("the connection limit", maxConnections);
  }

  private static void requireAtLeastOne(String what, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be at least 1, not " + value);
    }
  }
}
