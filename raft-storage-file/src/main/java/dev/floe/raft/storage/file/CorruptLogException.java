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
