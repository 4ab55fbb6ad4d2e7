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
 * Thrown when opening a store finds a file whose format version this Floe does not read: one
 * written by a newer Floe, or (before 1.0, which reads only its own formats) by an older one. The
 * file is not corrupt and nothing was changed; the message names the file, the version found and
 * the version this code reads.
 */
public final class UnsupportedFormatException extends IOException {
  private final transient Path file;
  /** The format version found in the file. */
  private final int foundVersion;
  /** The format version this code reads. */
  private final int supportedVersion;

  /**
   * Creates the exception.
   *
   * @param file the file
   * @param foundVersion the format version recorded in it
   * @param supportedVersion the format version this code reads and writes for such a file
   */
  public UnsupportedFormatException(Path file, int foundVersion, int supportedVersion) {
    super(message(file, foundVersion, supportedVersion));
    this.file = file;
    this.foundVersion = foundVersion;
    this.supportedVersion = supportedVersion;
  }

  private static String message(Path file, int found, int supported) {
    if (found > supported) {
      return "written by a newer Floe: " + file + " has format version " + found
          + ", this Floe reads up to " + supported;
    }
    return "written by an older Floe: " + file + " has format version " + found
        + ", this Floe reads version " + supported + " only (before 1.0 Floe reads no older"
        + " format; run the Floe that wrote it, or let the node rejoin from a new directory)";
  }

  /** Checks a version read from {@code file}; returns normally only if it is {@code supported}. */
  static void check(Path file, int found, int supported) throws UnsupportedFormatException {
    if (found != supported) {
      throw new UnsupportedFormatException(file, found, supported);
    }
  }

  /** {@return the file} */
  public Path file() {
    return file;
  }

  /** {@return the format version found in the file} */
  public int foundVersion() {
    return foundVersion;
  }

  /** {@return the format version this code reads} */
  public int supportedVersion() {
    return supportedVersion;
  }
}
