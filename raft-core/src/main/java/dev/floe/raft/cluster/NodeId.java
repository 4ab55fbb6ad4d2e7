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

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The identity of a member of a Floe cluster, such as {@code n1}.
 *
 * <p>An id is 1 to 64 characters of letters, digits, {@code '-'}, {@code '_'} and {@code '.'}, so it
 * can appear in file names, logs and URLs without escaping. Ids order by their text, which is how
 * the algorithm iterates over members deterministically.
 *
 * @param value the id's text
 */
public record NodeId(String value) implements Comparable<NodeId> {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /**
   * Validates the id.
   *
   * @param value the id's text
   * @throws IllegalArgumentException if the text is not a valid id
   */
  public NodeId {
    Objects.requireNonNull(value, "value");
    if (!VALID.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "invalid node id '" + value + "': use 1 to 64 letters, digits, '-', '_' or '.'");
    }
  }

  /**
   * Returns the id with the given text.
   *
   * @param value the id's text
   * @return the id
   * @throws IllegalArgumentException if the text is not a valid id
   */
  public static NodeId of(String value) {
    return new NodeId(value);
  }

  @Override
  public int compareTo(NodeId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
