package dev.floe.raft.transport.netty;

/**
 * Constants of the wire format (protocol version 4). All integers are big-endian.
 *
 * <pre>
 * frame      := length:u32  body            length = size of body, 1..maxFrameBytes
 * body       := type:u8  fields             fields in the order of the record's components
 *
 * handshake  := type=0  magic:u32 ("FLOE")  version:u16  clusterId:str16  nodeId:id  lane:u8
 *              lane: 0 control (votes, heartbeats, answers), 1 bulk (entries, snapshot chunks)
 * message    := type=1..11  from:id  to:id  term:i64  (the rest of the record's components)
 * refusal    := type=12  reason:u8  clusterId:str16  nodeId:id     the acceptor's ids
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
 * <p>A connection carries frames one way only: the dialer sends a handshake, then messages whose
 * {@code from} is the handshake's node id; the acceptor sends nothing, except one refusal frame when
 * it refuses a well-formed handshake (reason 1: the handshake names another cluster; 2: the
 * dialer is not one of its peers), after which it discards everything and closes the connection
 * once the dialer has (or after {@link #REFUSAL_LINGER_MILLIS}). Waiting for the dialer to close
 * first keeps the refusal from being lost to a reset, which closing with unread input would send.
 * Before a handshake is accepted, frames in either direction are limited to
 * {@link #MAX_HANDSHAKE_FRAME_BYTES}.
 */
final class WireFormat {
  /**
   * The protocol version this code speaks (2: InstallSnapshot messages carry a round; 3:
   * ForwardRequest carries settledBelow; 4: the handshake names its connection's lane,
   * ForwardRequest its entry type).
   */
  static final int VERSION = 4;

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

  /** Refusal reason: the handshake names another cluster than the acceptor's. */
  static final int REFUSED_OTHER_CLUSTER = 1;
  /** Refusal reason: the handshake's node is not one of the acceptor's peers. */
  static final int REFUSED_UNKNOWN_NODE = 2;

  /** How long an acceptor that sent a refusal waits for the dialer to close before it does. */
  static final long REFUSAL_LINGER_MILLIS = 2_000;

  private WireFormat() {}
}
