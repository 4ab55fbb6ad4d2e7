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
package dev.floe.raft.bench.cluster;

import dev.floe.raft.cluster.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Which live threads of this JVM each node runs, told apart by name. Floe names every thread it
 * starts {@code floe-<role>-<node>}: {@code floe-raft-<id>} (a loop thread of its own, when the
 * transport lends none), {@code floe-apply-<id>}, {@code floe-events-<id>} (only with a listener),
 * {@code floe-log-sync-<data directory>} (the benchmark names each directory after its node) and
 * the transport's {@code floe-netty-<id or listening port>-<pool>-<n>}. A thread belongs to a
 * node if one of the dash-separated parts of its name is the node's id or its port.
 */
final class ThreadCensus {
  private static final String PREFIX = "floe-";

  private final Map<NodeId, List<String>> byNode;
  private final List<String> unassigned;

  private ThreadCensus(Map<NodeId, List<String>> byNode, List<String> unassigned) {
    this.byNode = byNode;
    this.unassigned = unassigned;
  }

  /** Counts this JVM's live threads for each node of {@code ports} (node id to listening port). */
  static ThreadCensus ofThisJvm(Map<NodeId, Integer> ports) {
    List<String> names = Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive).map(Thread::getName).sorted().toList();
    return of(names, ports);
  }

  /** Sorts {@code threadNames} by node; names not starting {@code floe-} are not Floe's. */
  static ThreadCensus of(List<String> threadNames, Map<NodeId, Integer> ports) {
    Map<NodeId, List<String>> byNode = new LinkedHashMap<>();
    ports.keySet().forEach(id -> byNode.put(id, new ArrayList<>()));
    List<String> unassigned = new ArrayList<>();
    for (String name : threadNames) {
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      NodeId owner = owner(name, ports);
      if (owner == null) {
        unassigned.add(name);
      } else {
        byNode.get(owner).add(name);
      }
    }
    return new ThreadCensus(byNode, unassigned);
  }

  private static NodeId owner(String name, Map<NodeId, Integer> ports) {
    List<String> parts = Arrays.asList(name.split("-"));
    for (Map.Entry<NodeId, Integer> e : ports.entrySet()) {
      if (parts.contains(e.getKey().value()) || parts.contains(String.valueOf(e.getValue()))) {
        return e.getKey();
      }
    }
    return null;
  }

  /** The names of {@code node}'s threads; empty if it runs none in this JVM. */
  List<String> threadsOf(NodeId node) {
    return byNode.getOrDefault(node, List.of());
  }

  /** Floe threads that name no node of the census. */
  List<String> unassigned() {
    return unassigned;
  }

  /**
   * One line: {@code threads per node: N (n1: names; n2: ...)} when every node counts N, else
   * each node's count; nodes listed in {@code elsewhere} are marked n/a (they run in another JVM).
   */
  String line(List<NodeId> elsewhere) {
    List<NodeId> here = byNode.keySet().stream().filter(id -> !elsewhere.contains(id)).toList();
    List<Integer> counts = here.stream().map(id -> byNode.get(id).size()).distinct().toList();
    String count = counts.size() == 1 ? String.valueOf(counts.get(0))
        : here.stream().map(id -> id.value() + " " + byNode.get(id).size())
            .collect(Collectors.joining(", "));
    String names = here.stream()
        .map(id -> id.value() + ": " + String.join(", ", byNode.get(id)))
        .collect(Collectors.joining("; "));
    StringBuilder line = new StringBuilder("threads per node: ").append(count)
        .append(" (").append(names).append(")");
    if (!elsewhere.isEmpty()) {
      line.append("; ").append(elsewhere.stream().map(NodeId::value).collect(Collectors.joining(", ")))
          .append(": n/a (other JVMs)");
    }
    if (!unassigned.isEmpty()) {
      line.append("; Floe threads of no node: ").append(String.join(", ", unassigned));
    }
    return line.toString();
  }
}
