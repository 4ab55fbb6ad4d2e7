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

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The membership of a cluster: its voters, which elect leaders and make up majorities, and its
 * learners, which receive the log but do not vote. Each member may carry an address, an opaque
 * text (such as {@code 127.0.0.1:7001}) that the {@link dev.floe.raft.spi.Transport} interprets;
 * it is empty where the transport is configured with addresses of its own.
 *
 * <p>A configuration is immutable. Changes go through the replicated log (see {@link
 * dev.floe.raft.RaftNode#addVoter}), one member at a time, so any two successive configurations
 * have overlapping majorities.
 */
public final class Configuration {
  private static final byte VERSION = 1;
  private static final int MAX_MEMBERS = 1024;
  private static final Configuration EMPTY = new Configuration(new TreeMap<>(), new TreeMap<>());

  private final SortedMap<NodeId, String> voters;
  private final SortedMap<NodeId, String> learners;
  private final SortedSet<NodeId> voterIds;
  private final SortedSet<NodeId> learnerIds;

  private Configuration(SortedMap<NodeId, String> voters, SortedMap<NodeId, String> learners) {
    this.voters = Collections.unmodifiableSortedMap(voters);
    this.learners = Collections.unmodifiableSortedMap(learners);
    this.voterIds = Collections.unmodifiableSortedSet(new TreeSet<>(voters.keySet()));
    this.learnerIds = Collections.unmodifiableSortedSet(new TreeSet<>(learners.keySet()));
  }

  /** {@return the configuration with no members: that of a node waiting to join a cluster} */
  public static Configuration empty() {
    return EMPTY;
  }

  /**
   * Returns a configuration of voters without addresses.
   *
   * @param voters the voting members
   * @return the configuration
   * @throws IllegalArgumentException if {@code voters} is empty
   */
  public static Configuration ofVoters(Collection<NodeId> voters) {
    if (voters.isEmpty()) {
      throw new IllegalArgumentException("a configuration needs at least one voter");
    }
    TreeMap<NodeId, String> map = new TreeMap<>();
    for (NodeId v : voters) {
      map.put(Objects.requireNonNull(v, "voter"), "");
    }
    return new Configuration(map, new TreeMap<>());
  }

  /** {@return the voting members, in id order} */
  public SortedSet<NodeId> voters() {
    return voterIds;
  }

  /** {@return the non-voting members, in id order} */
  public SortedSet<NodeId> learners() {
    return learnerIds;
  }

  /** {@return voters and learners, in id order} */
  public SortedSet<NodeId> members() {
    TreeSet<NodeId> all = new TreeSet<>(voters.keySet());
    all.addAll(learners.keySet());
    return Collections.unmodifiableSortedSet(all);
  }

  /**
   * Whether {@code id} is a voter.
   *
   * @param id a node
   * @return whether it votes in this configuration
   */
  public boolean isVoter(NodeId id) {
    return voters.containsKey(id);
  }

  /**
   * Whether {@code id} is a learner.
   *
   * @param id a node
   * @return whether it is a non-voting member of this configuration
   */
  public boolean isLearner(NodeId id) {
    return learners.containsKey(id);
  }

  /**
   * Whether {@code id} is a voter or a learner.
   *
   * @param id a node
   * @return whether it is a member of this configuration
   */
  public boolean contains(NodeId id) {
    return voters.containsKey(id) || learners.containsKey(id);
  }

  /** {@return whether there are no members at all} */
  public boolean isEmpty() {
    return voters.isEmpty() && learners.isEmpty();
  }

  /**
   * The address of a member, if it has a non-empty one.
   *
   * @param id a member
   * @return its address, or empty if it has none or is no member
   */
  public Optional<String> address(NodeId id) {
    String a = voters.containsKey(id) ? voters.get(id) : learners.get(id);
    return a == null || a.isEmpty() ? Optional.empty() : Optional.of(a);
  }

  /** {@return every member's non-empty address} */
  public Map<NodeId, String> addresses() {
    TreeMap<NodeId, String> out = new TreeMap<>();
    voters.forEach((id, a) -> {
      if (!a.isEmpty()) {
        out.put(id, a);
      }
    });
    learners.forEach((id, a) -> {
      if (!a.isEmpty()) {
        out.put(id, a);
      }
    });
    return Collections.unmodifiableMap(out);
  }

  /**
   * Returns this configuration plus a learner; an existing member keeps its role and takes the
   * address.
   *
   * @param id the learner
   * @param address where the other members reach it
   * @return the new configuration
   */
  public Configuration withLearner(NodeId id, String address) {
    Objects.requireNonNull(address, "address");
    TreeMap<NodeId, String> v = new TreeMap<>(voters);
    TreeMap<NodeId, String> l = new TreeMap<>(learners);
    if (v.containsKey(id)) {
      v.put(id, address);
    } else {
      l.put(id, address);
    }
    return new Configuration(v, l);
  }

  /**
   * Returns this configuration with a learner made a voter.
   *
   * @param id the learner to promote
   * @return the new configuration
   * @throws IllegalArgumentException if {@code id} is not a learner
   */
  public Configuration withPromoted(NodeId id) {
    TreeMap<NodeId, String> v = new TreeMap<>(voters);
    TreeMap<NodeId, String> l = new TreeMap<>(learners);
    String address = l.remove(id);
    if (address == null) {
      throw new IllegalArgumentException(id + " is not a learner of " + this);
    }
    v.put(id, address);
    return new Configuration(v, l);
  }

  /**
   * Returns this configuration without a member.
   *
   * @param id the member to remove
   * @return the new configuration (this one if {@code id} is no member)
   */
  public Configuration without(NodeId id) {
    TreeMap<NodeId, String> v = new TreeMap<>(voters);
    TreeMap<NodeId, String> l = new TreeMap<>(learners);
    v.remove(id);
    l.remove(id);
    return new Configuration(v, l);
  }

  // ---------------------------------------------------------------- the log's format

  /**
   * Encodes the configuration as it is stored in configuration entries and snapshots: a version
   * byte, then the voters and the learners, each as a count followed by (id, address) pairs of
   * length-prefixed UTF-8 text.
   *
   * @return the encoded bytes
   */
  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      writeMembers(out, voters);
      writeMembers(out, learners);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not thrown by an in-memory stream
    }
    return bytes.toByteArray();
  }

  private static void writeMembers(DataOutputStream out, Map<NodeId, String> members)
      throws IOException {
    out.writeInt(members.size());
    for (Map.Entry<NodeId, String> m : members.entrySet()) {
      writeText(out, m.getKey().value());
      writeText(out, m.getValue());
    }
  }

  private static void writeText(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeShort(b.length);
    out.write(b);
  }

  /**
   * Decodes {@link #encode()}'s output; an empty array decodes to {@link #empty()} (a snapshot
   * from before configurations were recorded).
   *
   * @param encoded the bytes of {@link #encode()}
   * @return the configuration
   * @throws IllegalArgumentException if the bytes are not a valid configuration
   */
  public static Configuration decode(byte[] encoded) {
    if (encoded.length == 0) {
      return EMPTY;
    }
    try {
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(encoded));
      byte version = in.readByte();
      if (version != VERSION) {
        throw new IllegalArgumentException("unknown configuration version " + version);
      }
      TreeMap<NodeId, String> v = readMembers(in);
      TreeMap<NodeId, String> l = readMembers(in);
      if (in.available() != 0) {
        throw new IllegalArgumentException(in.available() + " trailing bytes after a configuration");
      }
      for (NodeId id : v.keySet()) {
        if (l.containsKey(id)) {
          throw new IllegalArgumentException(id + " is both a voter and a learner");
        }
      }
      return new Configuration(v, l);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed configuration (" + encoded.length + " bytes)", e);
    }
  }

  private static TreeMap<NodeId, String> readMembers(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_MEMBERS) {
      throw new IllegalArgumentException("invalid member count " + n);
    }
    TreeMap<NodeId, String> out = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      NodeId id = NodeId.of(readText(in));
      if (out.put(id, readText(in)) != null) {
        throw new IllegalArgumentException("member " + id + " appears twice");
      }
    }
    return out;
  }

  private static String readText(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readUnsignedShort()];
    in.readFully(b);
    return StandardCharsets.UTF_8.newDecoder()
        .decode(ByteBuffer.wrap(b))
        .toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Configuration c && voters.equals(c.voters) && learners.equals(c.learners);
  }

  @Override
  public int hashCode() {
    return voters.hashCode() * 31 + learners.hashCode();
  }

  @Override
  public String toString() {
    return "Configuration[voters=" + voters.keySet() + ", learners=" + learners.keySet() + "]";
  }
}
