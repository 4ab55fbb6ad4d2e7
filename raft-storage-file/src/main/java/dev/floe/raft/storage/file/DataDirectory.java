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

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a {@link FileLogStore}'s data directory, and the rules on which of them go
 * together. A directory is either new (no identity, no meta, no segments) or it holds an identity,
 * a meta file with the same directory id, and a {@code log/} directory; the segments in it carry
 * that id too (checked by {@link LogRecovery}). Anything else was damaged or assembled by hand, and
 * opening it is refused with an {@link InconsistentStoreException} naming the file.
 *
 * <p>One state in between is a crash's: the first meta file is written before the identity (so
 * that no identity is ever without its term and vote), so a crash between the two leaves a meta
 * that holds nothing but the directory id, without identity and segments. That directory is new;
 * the meta is removed.
 */
final class DataDirectory {
  static final String LOCK_FILE = "LOCK";
  static final String LOG_DIR = "log";
  private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);

  /**
   * What a directory holds. Either both are present, or neither (a new directory).
   *
   * @param identity the identity file's content
   * @param meta the meta file's content
   */
  record State(Optional<IdentityFile.Contents> identity, Optional<MetaFile.Meta> meta) {
    boolean isNew() {
      return identity.isEmpty();
    }
  }

  private final Path dir;
  private final StorageIo io;

  DataDirectory(Path dir, StorageIo io) {
    this.dir = dir;
    this.io = io;
  }

  Path path() {
    return dir;
  }

  Path logDir() {
    return dir.resolve(LOG_DIR);
  }

  /** Formats a directory id as it appears in messages: 16 hexadecimal digits. */
  static String format(long directoryId) {
    return String.format("%016x", directoryId);
  }

  /** Creates the directory if it is missing, durably. */
  void create() throws IOException {
    if (!io.isDirectory(dir)) {
      io.createDirectoriesDurably(dir);
    }
  }

  /**
   * Locks the directory for this process.
   *
   * @throws IOException naming the directory if another store holds it
   */
  Closeable lock() throws IOException {
    Closeable lock = io.tryLock(dir.resolve(LOCK_FILE));
    if (lock == null) {
      throw new IOException("log directory " + dir + " is already in use: another FileLogStore"
          + " holds its " + LOCK_FILE + " file");
    }
    return lock;
  }

  /**
   * Reads identity and meta and checks that the directory's parts agree; only then removes the
   * temporary files of interrupted replacements, and creates {@code log/} in a new directory.
   */
  State inspect() throws IOException {
    Optional<IdentityFile.Contents> identity = IdentityFile.read(io, dir);
    Optional<MetaFile.Meta> meta = MetaFile.read(io, dir);
    if (identity.isPresent()) {
      checkComplete(identity.get(), meta);
      deleteTemporaryFiles();
      return new State(identity, meta);
    }
    checkEmpty(meta);
    deleteTemporaryFiles();
    if (!io.isDirectory(logDir())) {
      io.createDirectories(logDir());
      io.syncDirectory(dir);
    }
    return new State(Optional.empty(), Optional.empty());
  }

  /** A directory with an identity has a meta file of the same directory, and a log directory. */
  private void checkComplete(IdentityFile.Contents identity, Optional<MetaFile.Meta> meta)
      throws IOException {
    String owner = "identity says it belongs to node " + identity.identity().nodeId()
        + " of cluster " + identity.identity().clusterId();
    if (meta.isEmpty()) {
      throw new InconsistentStoreException(dir.resolve(MetaFile.NAME), "is missing", owner
          + ", and a directory with an identity always has a meta file, which holds its term and"
          + " vote: they were lost, and starting at term 0 with no vote could vote twice");
    }
    if (meta.get().directoryId() != identity.directoryId()) {
      throw new InconsistentStoreException(dir.resolve(MetaFile.NAME), "belongs to directory "
          + format(meta.get().directoryId()), "identity says this directory is "
          + format(identity.directoryId()) + ": the meta file was copied from another directory");
    }
    if (!io.isDirectory(logDir())) {
      throw new InconsistentStoreException(logDir(), "is missing", owner
          + ", and the log directory is created before the identity");
    }
  }

  /**
   * A directory without an identity holds no segments and no meta, but the empty meta of an
   * interrupted first {@code saveIdentity}, which is removed.
   */
  private void checkEmpty(Optional<MetaFile.Meta> meta) throws IOException {
    Path identityFile = dir.resolve(IdentityFile.NAME);
    List<Path> segments = segments();
    if (!segments.isEmpty()) {
      throw new InconsistentStoreException(identityFile, "is missing"
          + (meta.isEmpty() ? ", and so is " + dir.resolve(MetaFile.NAME) : ""),
          "the log holds segment " + segments.get(0) + ", and segments are written only after"
          + " the identity and the meta file");
    }
    if (meta.isEmpty()) {
      return;
    }
    MetaFile.Meta found = meta.get();
    if (!found.isInitial()) {
      throw new InconsistentStoreException(identityFile, "is missing", dir.resolve(MetaFile.NAME)
          + " holds term " + found.termAndVote().term() + ", vote "
          + found.termAndVote().votedFor() + ", a log from index " + found.firstIndex()
          + " (epoch " + found.epoch() + "): a directory with a term or a log always has an"
          + " identity");
    }
    log.info("Removing {}: an interrupted first start of {} left it, holding nothing",
        dir.resolve(MetaFile.NAME), dir);
    io.delete(dir.resolve(MetaFile.NAME));
    io.syncDirectory(dir);
  }

  private List<Path> segments() throws IOException {
    if (!io.isDirectory(logDir())) {
      return List.of();
    }
    return io.list(logDir()).stream()
        .filter(p -> SegmentFormat.parseFileName(p.getFileName().toString()) > 0)
        .toList();
  }

  /** Removes what an interrupted replacement of meta or identity left (not made durable). */
  private void deleteTemporaryFiles() throws IOException {
    for (String name : List.of(MetaFile.TEMP_NAME, IdentityFile.TEMP_NAME)) {
      if (io.exists(dir.resolve(name))) {
        io.delete(dir.resolve(name));
      }
    }
  }
}
