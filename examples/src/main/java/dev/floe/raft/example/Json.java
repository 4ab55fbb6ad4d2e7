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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.floe.raft.RaftStatus;
import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The JSON documents of the example's HTTP API, built and read with one shared Jackson mapper. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /**
   * {@code {"id","clusterId","role","failure","term","leader","commitIndex","appliedIndex",
   * "lastIndex","snapshotIndex","members","learners","membership"}}; {@code role} is {@code
   * stopped} once the node stopped taking part (its storage failed), and {@code failure} then says
   * why (null while the node is healthy); {@code snapshotIndex} is the last index the node's latest
   * snapshot covers, 0 if it has none; {@code members} are the voters and {@code learners} the
   * non-voting members of the configuration in effect on the node; {@code membership} is the node's
   * own place in it: {@code voter}, {@code learner} or {@code none} (a node waiting to join, or one
   * that was removed).
   */
  static ObjectNode status(RaftStatus s, Optional<ClusterId> clusterId, long snapshotIndex) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", s.id().value());
    o.put("clusterId", clusterId.map(ClusterId::value).orElse(null));
    o.put("role", s.role().name().toLowerCase(Locale.ROOT));
    o.put("failure", s.failure().orElse(null));
    o.put("term", s.term());
    o.put("leader", s.leader().map(NodeId::value).orElse(null));
    o.put("commitIndex", s.commitIndex());
    o.put("appliedIndex", s.appliedIndex());
    o.put("lastIndex", s.lastIndex());
    o.put("snapshotIndex", snapshotIndex);
    ArrayNode members = o.putArray("members");
    s.members().forEach(m -> members.add(m.value()));
    ArrayNode learners = o.putArray("learners");
    s.learners().forEach(m -> learners.add(m.value()));
    o.put("membership", s.members().contains(s.id()) ? "voter"
        : s.learners().contains(s.id()) ? "learner" : "none");
    return o;
  }

  /**
   * {@code {"node","leader","voters","learners","addresses"}}: a configuration as {@code node} sees
   * it. {@code addresses} maps each member to the Raft address this node reaches it at: the one
   * recorded in the configuration (given when the member was added), else the one from the node's
   * own {@code --cluster}; a member with neither is left out.
   *
   * @param node the node answering
   * @param leader the leader it knows of, or null
   * @param configuration the configuration
   * @param staticAddresses the node's {@code --cluster} addresses, as {@code host:port}
   */
  static ObjectNode members(NodeId node, NodeId leader, Configuration configuration,
      Map<NodeId, String> staticAddresses) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("node", node.value());
    o.put("leader", leader == null ? null : leader.value());
    ArrayNode voters = o.putArray("voters");
    configuration.voters().forEach(v -> voters.add(v.value()));
    ArrayNode learners = o.putArray("learners");
    configuration.learners().forEach(l -> learners.add(l.value()));
    ObjectNode addresses = o.putObject("addresses");
    for (NodeId m : configuration.members()) {
      String address = configuration.address(m).orElse(staticAddresses.get(m));
      if (address != null) {
        addresses.put(m.value(), address);
      }
    }
    return o;
  }

  /** {@code {"error": message, "leader": hint}}; the leader is left out when unknown. */
  static ObjectNode error(String message, NodeId leaderHint) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("error", message);
    if (leaderHint != null) {
      o.put("leader", leaderHint.value());
    }
    return o;
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  static JsonNode parse(String text) throws JsonProcessingException {
    return MAPPER.readTree(text);
  }

  static JsonNode parse(byte[] bytes) throws java.io.IOException {
    return MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
  }
}
