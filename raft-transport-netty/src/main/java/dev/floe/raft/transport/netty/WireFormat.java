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

/**
 * Constants of the wire format (protocol version 5). All integers are big-endian.
 *
 * <pre>
 * frame      := length:u32  body            length = size of body, 1..maxFrameBytes
 * body       := type:u8  fields             fields in the order of the record's components
 *
 * handshake  := type=0  magic:u32 ("FLOE")  version:u16  rest
 *   version 4:    rest := clusterId:str16  nodeId:id  lane:u8
 *   version 5+:   rest := minVersion:u16  clusterId:str16  nodeId:id  lane:u8  (later: more)
 *              version is the highest protocol version the dialer speaks, minVersion the lowest;
 *              lane: 0 control (votes, heartbeats, answers), 1 bulk (entries, snapshot chunks);
 *              bytes after lane, which a later version may add, are skipped when version &gt; 5
 * message    := type=1..11  from:id  to:id  term:i64  (the rest of the record's components)
 * refusal    := type=12  reason:u8  clusterId:str16  nodeId:id  [versions]   the acceptor's ids
 *              versions (reason 3 only) := min:u16 max:u16 (the acceptor's)
 *                                          dialerMin:u16 dialerMax:u16 (as the handshake said)
 * accept     := type=13  version:u16  nodeId:id    the version the connection speaks, the acceptor
 *
 * id         := len:u8 (1..64)  UTF-8 bytes     a NodeId
 * id?        := len:u8 (0..64)  UTF-8 bytes     a nullable NodeId; length 0 means null
 * str16      := len:u16  UTF-8 bytes
 * bytes      := len:i32 (&gt;= 0)  bytes         a byte[]
 * bool       := u8 (0 or 1)
 * long       := i64
 * entries    := count:i32  entry*
 * entry      := index:i64  term:i64  type:u8 (EntryType code)  data:bytes
 * </pre>
 *
 * <p>Fields after {@code term}, by type:
 *
 * <pre>
 *  1 VoteRequest             lastLogIndex:long lastLogTerm:long preVote:bool leadershipTransfer:bool
 *  2 VoteResponse            granted:bool preVote:bool
 *  3 AppendRequest           prevLogIndex:long prevLogTerm:long entries leaderCommit:long round:long
 *  4 AppendResponse          success:bool matchIndex:long rejectedIndex:long conflictTerm:long
 *                            conflictIndex:long lastLogIndex:long round:long
 *  5 InstallSnapshotRequest  snapshotIndex:long snapshotTerm:long configuration:bytes offset:long
 *                            chunk:bytes done:bool round:long
 *  6 InstallSnapshotResponse snapshotIndex:long nextOffset:long done:bool round:long
 *  7 TimeoutNow              (nothing)
 *  8 ForwardRequest          requestId:long command:bytes settledBelow:long type:u8 (1 or 4)
 *  9 ForwardResponse         requestId:long accepted:bool index:long entryTerm:long leaderHint:id?
 * 10 ReadIndexRequest        requestId:long
 * 11 ReadIndexResponse       requestId:long accepted:bool readIndex:long leaderHint:id?
 * </pre>
 *
 * <p>Messages are laid out alike in versions 4 and 5: version 5 changed only the handshake, which
 * now carries the range of versions the dialer speaks instead of one exact version.
 *
 * <h2>Negotiation</h2>
 * A connection carries frames one way only: the dialer sends a handshake, then messages whose
 * {@code from} is the handshake's node id. The acceptor answers a version-5 (or later) handshake
 * with one frame: an accept naming the highest version both sides speak, which the connection then
 * speaks, or a refusal. The dialer sends its messages only once it has the accept. A version-4
 * handshake is never answered on success (a version-4 dialer takes any frame but a refusal for a
 * protocol violation); the connection then speaks version 4.
 *
 * <p>A node that speaks version 4 dials with a version-5 handshake first. A node that speaks only
 * version 4 closes such a connection without a word (to it the handshake is malformed); the
 * dialer, seeing its handshake closed on unanswered, dials the next connection with a version-4
 * handshake, and tries version 5 again once that connection has ended. So a cluster can be
 * upgraded one node at a time: see {@code docs/transport.md} for the policy (speak N and N-1).
 *
 * <h2>Refusals</h2>
 * The acceptor sends one refusal frame when it refuses a well-formed handshake, then discards
 * everything and closes the connection once the dialer has (or after {@link
 * #REFUSAL_LINGER_MILLIS}). Waiting for the dialer to close first keeps the refusal from being
 * lost to a reset, which closing with unread input would send. Reasons: 1, the handshake names
 * another cluster; 2, the dialer is not one of its peers; 3, the two sides speak no version in
 * common (the frame then carries both ranges); 4, with mutual TLS, the dialer's certificate does
 * not name the node id its handshake claims. The layout of a refusal of a known reason is fixed; a
 * later version adds reasons, not fields, and a refusal of a reason this version does not know
 * may carry bytes after the node id, which are skipped. Before a handshake is accepted, frames in
 * either direction are limited to {@link #MAX_HANDSHAKE_FRAME_BYTES}.
 */
final class WireFormat {
  /**
   * The highest protocol version this code speaks (2: InstallSnapshot messages carry a round; 3:
   * ForwardRequest carries settledBelow; 4: the handshake names its connection's lane,
   * ForwardRequest its entry type; 5: the handshake carries the range of versions the dialer
   * speaks, and the acceptor answers it).
   */
  static final int VERSION = 5;

  /** The lowest protocol version this code speaks: the previous one, for rolling upgrades. */
  static final int MIN_VERSION = 4;

  /** The last version whose handshake carries one exact version and is never answered. */
  static final int EXACT_HANDSHAKE_VERSION = 4;

  /** "FLOE" in ASCII: the first bytes of a handshake body after its type. */
  static final int MAGIC = 0x464C4F45;

  /** Size of the frame length prefix. */
  static final int LENGTH_BYTES = 4;

  /** The largest handshake frame accepted; anything larger before a handshake is hostile. */
  static final int MAX_HANDSHAKE_FRAME_BYTES = 512;

  /** The longest cluster id in UTF-8 bytes. */
  static final int MAX_CLUSTER_ID_BYTES = 255;

  /** The longest node id in bytes (see {@link dev.floe.raft.cluster.NodeId}). */
  static final int MAX_NODE_ID_BYTES = 64;

  static final int HANDSHAKE = 0;
  static final int VOTE_REQUEST = 1;
  static final int VOTE_RESPONSE = 2;
  static final int APPEND_REQUEST = 3;
  static final int APPEND_RESPONSE = 4;
  static final int INSTALL_SNAPSHOT_REQUEST = 5;
  static final int INSTALL_SNAPSHOT_RESPONSE = 6;
  static final int TIMEOUT_NOW = 7;
  static final int FORWARD_REQUEST = 8;
  static final int FORWARD_RESPONSE = 9;
  static final int READ_INDEX_REQUEST = 10;
  static final int READ_INDEX_RESPONSE = 11;
  static final int REFUSAL = 12;
  static final int ACCEPT = 13;

  /** Refusal reason: the handshake names another cluster than the acceptor's. */
  static final int REFUSED_OTHER_CLUSTER = 1;
  /** Refusal reason: the handshake's node is not one of the acceptor's peers. */
  static final int REFUSED_UNKNOWN_NODE = 2;
  /** Refusal reason: the two sides speak no protocol version in common. */
  static final int REFUSED_VERSION = 3;
  /** Refusal reason: the dialer's TLS certificate does not name the node id it claims. */
  static final int REFUSED_IDENTITY = 4;

  /** How long an acceptor that sent a refusal waits for the dialer to close before it does. */
  static final long REFUSAL_LINGER_MILLIS = 2_000;

  private WireFormat() {}
}
