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

import dev.floe.raft.cluster.NodeId;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/** Parses the command line's addresses: {@code host:port} and {@code n1=host:port,n2=...}. */
final class Addresses {
  private Addresses() {}

  /**
   * Parses {@code host:port}.
   *
   * @throws IllegalArgumentException naming the text if it is not {@code host:port}
   */
  static InetSocketAddress hostPort(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not host:port");
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      String host = text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1); // an IPv6 literal
      }
      return new InetSocketAddress(host, port);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not host:port: " + e.getMessage());
    }
  }

  /** Formats an address as {@code host:port} ({@code [v6]:port} for an IPv6 literal). */
  static String format(InetSocketAddress address) {
    String host = address.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /**
   * Parses {@code n1=host:port,n2=host:port,...}, keeping the order.
   *
   * @throws IllegalArgumentException naming the bad part
   */
  static Map<NodeId, InetSocketAddress> cluster(String text) {
    return cluster(text, "--cluster");
  }

  /**
   * Parses {@code n1=host:port,n2=host:port,...} given to {@code option}, keeping the order.
   *
   * @throws IllegalArgumentException naming the bad part and the option
   */
  static Map<NodeId, InetSocketAddress> cluster(String text, String option) {
    Map<NodeId, InetSocketAddress> members = new LinkedHashMap<>();
    for (String part : text.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("'" + part + "' in " + option + " is not id=host:port");
      }
      NodeId id = NodeId.of(part.substring(0, eq).trim());
      if (members.put(id, hostPort(part.substring(eq + 1).trim())) != null) {
        throw new IllegalArgumentException("node " + id + " appears twice in " + option);
      }
    }
    return members;
  }
}
