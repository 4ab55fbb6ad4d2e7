package dev.floe.raft.storage.file;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown by {@link FileLogStore#open()} when a file of the store holds data that a crash cannot
 * explain: a bad record that is not the torn tail of the last segment, a broken header, a gap
 * between indexes. The store refuses to start rather than discard entries that may be committed.
 *
 * <p>The message names the file and the byte offset of the problem; {@link #file()} and {@link
 * #offset()} return them.
 */
public final class CorruptLogException extends IOException {
  private final transient Path file;
  /** The byte offset where the bad data starts. */
  private final long offset;

  /**
   * Creates the exception.
   *
   * @param file the corrupt file
   * @param offset the byte offset in that file where the bad data starts
   * @param problem what is wrong there
   */
  public CorruptLogException(Path file, long offset, String problem) {
    super("corrupt log file " + file + " at byte offset " + offset + ": " + problem);
    this.file = file;
    this.offset = offset;
  }

  /** {@return the corrupt file} */
  public Path file() {
    return file;
  }

  /** {@return the byte offset in {@link #file()} where the bad data starts} */
  public long offset() {
    return offset;
  }
}
