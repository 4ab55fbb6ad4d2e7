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
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every file-system call of the stores goes through here, so that tests can run them over a
 * simulated file system (one that keeps only what was made durable when the power fails) and
 * inject faults (a full disk). The default methods do the real thing; {@link #REAL} is that.
 *
 * <p>Creations, removals and renames of directory entries are durable only after {@link
 * #syncDirectory} of the directory that holds them; file contents only after {@link
 * FileChannel#force}.
 */
interface StorageIo {
  /** The real file system. */
  StorageIo REAL = new StorageIo() {};

  /** Returns the entries of {@code dir}, sorted by name. */
  default List<Path> list(Path dir) throws IOException {
    try (Stream<Path> children = Files.list(dir)) {
      return children.sorted().toList();
    }
  }

  /** Whether {@code path} exists (a file or a directory). */
  default boolean exists(Path path) {
    return Files.exists(path);
  }

  /** Whether {@code path} is a directory. */
  default boolean isDirectory(Path path) {
    return Files.isDirectory(path);
  }

  /** Returns the size of a file in bytes. */
  default long size(Path file) throws IOException {
    return Files.size(file);
  }

  /**
   * Returns the whole content of a file.
   *
   * @throws java.nio.file.NoSuchFileException if there is no such file
   */
  default byte[] readAllBytes(Path file) throws IOException {
    return Files.readAllBytes(file);
  }

  /** Creates a directory and its missing parents (not durable until their parents are synced). */
  default void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }

  /**
   * Creates a directory and its missing parents durably: each new directory's parent is synced,
   * from the top down.
   */
  default void createDirectoriesDurably(Path dir) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path path = dir; path != null && !isDirectory(path); path = path.getParent()) {
      missing.push(path);
    }
    createDirectories(dir);
    for (Path created : missing) {
      if (created.getParent() != null) {
        syncDirectory(created.getParent());
      }
    }
  }

  /** Opens a file channel. */
  default FileChannel open(Path file, OpenOption... options) throws IOException {
    return FileChannel.open(file, options);
  }

  /**
   * Takes an exclusive lock on {@code file}, creating it if needed, for as long as the process
   * lives or until the returned handle is closed.
   *
   * @return the lock, or {@code null} if another holder (in this process or another) has it
   */
  default Closeable tryLock(Path file) throws IOException {
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      return null;
    }
    return channel; // closing the channel releases the lock
  }

  /** Makes the creations, removals and renames of entries of {@code dir} durable. */
  default void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Removes a file or an empty directory (not durable until {@link #syncDirectory}). */
  default void delete(Path file) throws IOException {
    Files.delete(file);
  }

  /**
   * Renames {@code source} to {@code target} atomically, replacing it (not durable until {@link
   * #syncDirectory}).
   *
   * @throws java.nio.file.AtomicMoveNotSupportedException if the file system cannot; there is no
   *     fallback to a plain rename
   */
  default void moveAtomically(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
