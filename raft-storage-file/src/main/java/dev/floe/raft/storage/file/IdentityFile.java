package dev.floe.raft.storage.file;

import dev.floe.raft.ClusterId;
import dev.floe.raft.Configuration;
import dev.floe.raft.NodeId;
import dev.floe.raft.spi.StoreIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The {@code identity} file: whom the data directory belongs to (see {@link StoreIdentity}). It is
 * written once, when a node first starts on the directory, like the meta file: write {@code
 * identity.tmp}, force it, rename it over {@code identity} atomically, force the directory.
 *
 * <pre>
 *   0  int32  magic 0x464C4944 ("FLID")
 *   4  int16  format version (1)
 *   6  int16  length c of the cluster id's UTF-8 bytes
 *   8  int16  length n of the node id's UTF-8 bytes
 *  10  int32  length b of the bootstrap configuration (Configuration.encode(); 0 for a joiner)
 *  14  c      cluster id, UTF-8
 *  14+c n     node id, UTF-8
 *  14+c+n b   bootstrap configuration
 *  ...  int32 CRC32C of every byte before it
 * </pre>
 */
final class IdentityFile {
  static final String NAME = "identity";
  static final String TEMP_NAME = "identity.tmp";
  static final int MAGIC = 0x464C4944;
  static final short VERSION = 1;

  static final int MAGIC_OFFSET = 0;
  static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
  static final int CLUSTER_LENGTH_OFFSET = VERSION_OFFSET + 2;
  static final int NODE_LENGTH_OFFSET = CLUSTER_LENGTH_OFFSET + 2;
  static final int BOOTSTRAP_LENGTH_OFFSET = NODE_LENGTH_OFFSET + 2;
  static final int CLUSTER_OFFSET = BOOTSTRAP_LENGTH_OFFSET + 4;
  static final int CRC_LENGTH = 4;

  private IdentityFile() {}

  /** Reads the identity file of {@code dir}, or returns empty if there is none. */
  static Optional<StoreIdentity> read(Path dir) throws IOException {
    Path file = dir.resolve(NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (bytes.length < CLUSTER_OFFSET + CRC_LENGTH) {
      throw new CorruptLogException(file, bytes.length, "identity file is too short");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (buffer.getInt(MAGIC_OFFSET) != MAGIC) {
      throw new CorruptLogException(file, MAGIC_OFFSET, "bad magic number in identity file");
    }
    short version = buffer.getShort(VERSION_OFFSET);
    if (version > VERSION) {
      throw new CorruptLogException(file, VERSION_OFFSET, "identity format version " + version
          + " was written by a newer Floe (this one reads up to version " + VERSION + ")");
    }
    if (version != VERSION) {
      throw new CorruptLogException(file, VERSION_OFFSET, "unknown identity format version " + version);
    }
    int clusterLength = buffer.getShort(CLUSTER_LENGTH_OFFSET);
    int nodeLength = buffer.getShort(NODE_LENGTH_OFFSET);
    int bootstrapLength = buffer.getInt(BOOTSTRAP_LENGTH_OFFSET);
    long crcOffset = (long) CLUSTER_OFFSET + clusterLength + nodeLength + bootstrapLength;
    if (clusterLength < 0 || nodeLength < 0 || bootstrapLength < 0
        || bytes.length != crcOffset + CRC_LENGTH) {
      throw new CorruptLogException(file, CLUSTER_LENGTH_OFFSET, "bad field lengths in identity file");
    }
    if (buffer.getInt((int) crcOffset) != crc(bytes, (int) crcOffset)) {
      throw new CorruptLogException(file, crcOffset, "CRC mismatch in identity file");
    }
    try {
      int nodeOffset = CLUSTER_OFFSET + clusterLength;
      int bootstrapOffset = nodeOffset + nodeLength;
      ClusterId cluster = ClusterId.of(
          new String(bytes, CLUSTER_OFFSET, clusterLength, StandardCharsets.UTF_8));
      NodeId node = NodeId.of(new String(bytes, nodeOffset, nodeLength, StandardCharsets.UTF_8));
      byte[] bootstrap = java.util.Arrays.copyOfRange(bytes, bootstrapOffset,
          bootstrapOffset + bootstrapLength);
      return Optional.of(new StoreIdentity(cluster, node, Configuration.decode(bootstrap)));
    } catch (IllegalArgumentException e) {
      throw new CorruptLogException(file, CLUSTER_OFFSET, e.getMessage());
    }
  }

  static byte[] encode(StoreIdentity identity) {
    byte[] cluster = identity.clusterId().value().getBytes(StandardCharsets.UTF_8);
    byte[] node = identity.nodeId().value().getBytes(StandardCharsets.UTF_8);
    byte[] bootstrap = identity.bootstrap().isEmpty() ? new byte[0] : identity.bootstrap().encode();
    int crcOffset = CLUSTER_OFFSET + cluster.length + node.length + bootstrap.length;
    ByteBuffer buffer = ByteBuffer.allocate(crcOffset + CRC_LENGTH);
    buffer.putInt(MAGIC_OFFSET, MAGIC);
    buffer.putShort(VERSION_OFFSET, VERSION);
    buffer.putShort(CLUSTER_LENGTH_OFFSET, (short) cluster.length);
    buffer.putShort(NODE_LENGTH_OFFSET, (short) node.length);
    buffer.putInt(BOOTSTRAP_LENGTH_OFFSET, bootstrap.length);
    buffer.put(CLUSTER_OFFSET, cluster);
    buffer.put(CLUSTER_OFFSET + cluster.length, node);
    buffer.put(CLUSTER_OFFSET + cluster.length + node.length, bootstrap);
    buffer.putInt(crcOffset, crc(buffer.array(), crcOffset));
    return buffer.array();
  }

  /** Writes the identity file of {@code dir} atomically and durably. */
  static void write(StorageIo io, Path dir, StoreIdentity identity) throws IOException {
    Path temp = dir.resolve(TEMP_NAME);
    try (FileChannel channel = io.open(temp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(encode(identity));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    io.moveAtomically(temp, dir.resolve(NAME));
    io.syncDirectory(dir);
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }
}
