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
package dev.floe.raft.cluster;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The identity of a Floe cluster. It is chosen once, when the cluster is founded, and recorded in
 * every member's data directory; every start and every connection between members checks it, so a
 * node can never join another cluster's log by mistake (a copied or swapped data directory, two
 * clusters on the same hosts).
 *
 * <p>Create it with {@link #random()} when founding a cluster and give the same id to every
 * founding member (and to nodes that join later). Like a {@link NodeId} it is 1 to 64 letters,
 * digits, {@code '-'}, {@code '_'} or {@code '.'}.
 *
 * @param value the id's text
 */
public record ClusterId(String value) {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Validates the id.
   *
   * @param value the id's text
   * @throws IllegalArgumentException if the text is not a valid id
   */
  public ClusterId {
    Objects.requireNonNull(value, "value");
    if (!VALID.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "invalid cluster id '" + value + "': use 1 to 64 letters, digits, '-', '_' or '.'");
    }
  }

  /**
   * Returns the cluster id with the given text.
   *
   * @param value the id's text
   * @return the id
   * @throws IllegalArgumentException if the text is not a valid id
   */
  public static ClusterId of(String value) {
    return new ClusterId(value);
  }

  /** {@return a new random id (128 bits, as 32 hex digits): what a new cluster should use} */
  public static ClusterId random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return new ClusterId(HexFormat.of().formatHex(bytes));
  }

  @Override
  public String toString() {
    return value;
  }
}
