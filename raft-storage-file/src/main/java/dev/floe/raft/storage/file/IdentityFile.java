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
package dev.floe.raft.storage.file;

import dev.floe.raft.cluster.ClusterId;
import dev.floe.raft.cluster.Configuration;
import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.StoreIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The {@code identity} file: whom the data directory belongs to (see {@link StoreIdentity}), and
 * the directory's own random id, which its meta file and segment headers repeat. It is written
 * once, when a node first starts on the directory, right after the first meta file, and replaced
 * like it (see {@link SmallFiles#replace}).
 *
 * <pre>
 *   0  int32  magic 0x464C4944 ("FLID")
 *   4  int16  format version (2)
 *   6  int16  length c of the cluster id's UTF-8 bytes
 *   8  int16  length n of the node id's UTF-8 bytes
 *  10  int32  length b of the bootstrap configuration (Configuration.encode(); 0 for a joiner)
 *  14  int64  directory id
 *  22  c      cluster id, UTF-8
 *  22+c n     node id, UTF-8
 *  22+c+n b   bootstrap configuration
 *  ...  int32 CRC32C of every byte before it
 * </pre>
 */
final class IdentityFile {
  static final String NAME = "identity";
  static final String TEMP_NAME = "identity.tmp";
  static final int MAGIC = 0x464C4944;
  static final short VERSION = 2;

  static final int MAGIC_OFFSET = 0;
  static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
  static final int CLUSTER_LENGTH_OFFSET = VERSION_OFFSET + 2;
  static final int NODE_LENGTH_OFFSET = CLUSTER_LENGTH_OFFSET + 2;
  static final int BOOTSTRAP_LENGTH_OFFSET = NODE_LENGTH_OFFSET + 2;
  static final int DIRECTORY_ID_OFFSET = BOOTSTRAP_LENGTH_OFFSET + 4;
  static final int CLUSTER_OFFSET = DIRECTORY_ID_OFFSET + 8;

  /**
   * The content of the identity file.
   *
   * @param identity whom the directory belongs to
   * @param directoryId the directory's random id
   */
  record Contents(StoreIdentity identity, long directoryId) {}

  private IdentityFile() {}

  /** Reads the identity file of {@code dir}, or returns empty if there is none. */
  static Optional<Contents> read(StorageIo io, Path dir) throws IOException {
    Path file = dir.resolve(NAME);
    byte[] bytes;
    try {
      bytes = io.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    ByteBuffer buffer = SmallFiles.checkHeader(file, bytes, MAGIC, VERSION, CLUSTER_OFFSET);
    int clusterLength = buffer.getShort(CLUSTER_LENGTH_OFFSET);
    int nodeLength = buffer.getShort(NODE_LENGTH_OFFSET);
    int bootstrapLength = buffer.getInt(BOOTSTRAP_LENGTH_OFFSET);
    long crcOffset = (long) CLUSTER_OFFSET + clusterLength + nodeLength + bootstrapLength;
    if (clusterLength < 0 || nodeLength < 0 || bootstrapLength < 0
        || bytes.length != crcOffset + SmallFiles.CRC_LENGTH) {
      throw new CorruptLogException(file, CLUSTER_LENGTH_OFFSET, "bad field lengths");
    }
    SmallFiles.checkCrc(file, bytes, (int) crcOffset);
    try {
      int nodeOffset = CLUSTER_OFFSET + clusterLength;
      int bootstrapOffset = nodeOffset + nodeLength;
      ClusterId cluster = ClusterId.of(
          new String(bytes, CLUSTER_OFFSET, clusterLength, StandardCharsets.UTF_8));
      NodeId node = NodeId.of(new String(bytes, nodeOffset, nodeLength, StandardCharsets.UTF_8));
      byte[] bootstrap =
          Arrays.copyOfRange(bytes, bootstrapOffset, bootstrapOffset + bootstrapLength);
      StoreIdentity identity = new StoreIdentity(cluster, node, Configuration.decode(bootstrap));
      return Optional.of(new Contents(identity, buffer.getLong(DIRECTORY_ID_OFFSET)));
    } catch (IllegalArgumentException e) {
      throw new CorruptLogException(file, CLUSTER_OFFSET, e.getMessage());
    }
  }

  static byte[] encode(Contents contents) {
    StoreIdentity identity = contents.identity();
    byte[] cluster = identity.clusterId().value().getBytes(StandardCharsets.UTF_8);
    byte[] node = identity.nodeId().value().getBytes(StandardCharsets.UTF_8);
    byte[] bootstrap = identity.bootstrap().isEmpty() ? new byte[0] : identity.bootstrap().encode();
    int crcOffset = CLUSTER_OFFSET + cluster.length + node.length + bootstrap.length;
    ByteBuffer buffer = ByteBuffer.allocate(crcOffset + SmallFiles.CRC_LENGTH);
    buffer.putInt(MAGIC_OFFSET, MAGIC);
    buffer.putShort(VERSION_OFFSET, VERSION);
    buffer.putShort(CLUSTER_LENGTH_OFFSET, (short) cluster.length);
    buffer.putShort(NODE_LENGTH_OFFSET, (short) node.length);
    buffer.putInt(BOOTSTRAP_LENGTH_OFFSET, bootstrap.length);
    buffer.putLong(DIRECTORY_ID_OFFSET, contents.directoryId());
    buffer.put(CLUSTER_OFFSET, cluster);
    buffer.put(CLUSTER_OFFSET + cluster.length, node);
    buffer.put(CLUSTER_OFFSET + cluster.length + node.length, bootstrap);
    SmallFiles.putCrc(buffer, crcOffset);
    return buffer.array();
  }

  /** Writes the identity file of {@code dir} atomically and durably. */
  static void write(StorageIo io, Path dir, Contents contents) throws IOException {
    SmallFiles.replace(io, dir, TEMP_NAME, NAME, encode(contents));
  }
}
