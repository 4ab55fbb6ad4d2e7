package dev.floe.raft.storage.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Every file-system call of the store that changes or makes durable what is on disk goes through
 * here, so tests can inject faults (a full disk) and simulate crashes (keep only what was synced).
 * The default methods do the real thing.
 */
interface StorageIo {
  /** The real file system. */
  StorageIo REAL = new StorageIo() {};

  /** Opens a file channel. */
  default FileChannel open(Path file, OpenOption... options) throws IOException {
    return FileChannel.open(file, options);
  }

  /** Makes the creations, removals and renames of entries of {@code dir} durable. */
  default void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Removes a file (not durable until {@link #syncDirectory}). */
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
