package dev.floe.raft.example;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.floe.raft.NodeId;
import dev.floe.raft.RaftStatus;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The JSON documents of the example's HTTP API, built and read with one shared Jackson mapper. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /**
   * {@code {"id","role","term","leader","commitIndex","appliedIndex","lastIndex","snapshotIndex",
   * "members"}}; {@code snapshotIndex} is the last index the node's latest snapshot covers, 0 if it
   * has none.
   */
  static ObjectNode status(RaftStatus s, long snapshotIndex) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", s.id().value());
    o.put("role", s.role().name().toLowerCase(Locale.ROOT));
    o.put("term", s.term());
    o.put("leader", s.leader().map(NodeId::value).orElse(null));
    o.put("commitIndex", s.commitIndex());
    o.put("appliedIndex", s.appliedIndex());
    o.put("lastIndex", s.lastIndex());
    o.put("snapshotIndex", snapshotIndex);
    com.fasterxml.jackson.databind.node.ArrayNode members = o.putArray("members");
    s.members().forEach(m -> members.add(m.value()));
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
