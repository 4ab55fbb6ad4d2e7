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

import java.io.IOException;

/**
 * A node refused to start because its data directory belongs to another node or another cluster
 * (a copied, swapped or foreign directory), or records another founding membership. Nothing was
 * changed on disk. The message names what was found and what was expected.
 */
public class IdentityMismatchException extends IOException {
  /** What the data directory records. */
  private final String found;
  /** What the node was started with. */
  private final String expected;

  /**
   * @param what what disagrees, such as "cluster id"
   * @param found what the data directory records
   * @param expected what the node was configured with
   * @param where the store, for the message
   */
  public IdentityMismatchException(String what, String found, String expected, String where) {
    super("the data directory (" + where + ") records " + what + " " + found + ", but this node "
        + "was started with " + expected + "; it belongs to another node or cluster, so the node "
        + "refuses to start on it");
    this.found = found;
    this.expected = expected;
  }

  /** {@return what the data directory records} */
  public String found() {
    return found;
  }

  /** {@return what the node was started with} */
  public String expected() {
    return expected;
  }
}
