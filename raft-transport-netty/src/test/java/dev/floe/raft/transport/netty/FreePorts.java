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
package dev.floe.raft.transport.netty;

import dev.floe.raft.cluster.NodeId;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Addresses on 127.0.0.1 for nodes that must know every member's address before they start (a
 * node's start fails if a member has none): ports the kernel handed out as free, all held at once
 * and then let go, just before the nodes bind them.
 */
final class FreePorts {
  private FreePorts() {}

  /** Returns a free address on 127.0.0.1 for each id, in order. */
  static Map<NodeId, InetSocketAddress> on127(List<NodeId> ids) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
    try {
      for (NodeId id : ids) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        held.add(s);
        addresses.put(id, new InetSocketAddress("127.0.0.1", s.getLocalPort()));
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    return addresses;
  }
}
