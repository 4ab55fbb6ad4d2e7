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
 * Thrown by {@link FileLogStore#open()} when the files of a data directory contradict each other,
 * so that the store cannot tell its state: a term and vote file missing beside an identity or
 * segments, an identity missing beside data, or a file written for another directory (copied from
 * another node's). The store refuses to open rather than take the directory for a new one; nothing
 * was changed. The message names the file, what was found and what was expected.
 */
public final class InconsistentStoreException extends IOException {
  private final transient Path file;
  /** What the directory holds. */
  private final String found;
  /** What it should hold. */
  private final String expected;

  /**
   * Creates the exception.
   *
   * @param file the file that is missing, extra or foreign
   * @param found what the directory holds there
   * @param expected what it should hold, and why
   */
  public InconsistentStoreException(Path file, String found, String expected) {
    super("inconsistent data directory: " + file + " " + found + ", but " + expected
        + "; the store refuses to open rather than guess (see docs/storage-format.md)");
    this.file = file;
    this.found = found;
    this.expected = expected;
  }

  /** {@return the file that is missing, extra or foreign} */
  public Path file() {
    return file;
  }

  /** {@return what the directory holds} */
  public String found() {
    return found;
  }

  /** {@return what it should hold} */
  public String expected() {
    return expected;
  }
}
