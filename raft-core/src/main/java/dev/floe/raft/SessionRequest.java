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

/**
 * Identifies a submit within a client session (thesis §6.3), which makes retries safe: every node
 * applies a given {@code (clientId, sequence)} at most once, and a retry is answered with the
 * first application's result.
 *
 * <p>A client picks a {@code clientId} unlikely to collide (a random {@code long}) and numbers its
 * commands 1, 2, 3, ... It retries a command with the same sequence until it gets an answer, and
 * sends the next one only after that. Sessions idle for {@link #EXPIRY_ENTRIES} log entries are
 * forgotten by every node at the same index.
 *
 * @param clientId the client's id
 * @param sequence the command's number in the session, from 1
 */
public record SessionRequest(long clientId, long sequence) {
  /** A session with no command applied within this many log entries is forgotten. */
  public static final long EXPIRY_ENTRIES = 1_000_000;

  /**
   * Validates the sequence.
   *
   * @param clientId the client's id
   * @param sequence the command's number in the session, from 1
   * @throws IllegalArgumentException if {@code sequence} is below 1
   */
  public SessionRequest {
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be >= 1: " + sequence);
    }
  }
}
