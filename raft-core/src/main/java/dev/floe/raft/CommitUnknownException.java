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
package dev.floe.raft;

/**
 * The outcome of a submit is unknown: its leader lost leadership, or no answer came in time, before
 * the command was known to be committed. The command may or may not be applied. Retry it only if
 * applying it twice is harmless, or through a client session that deduplicates it.
 */
public class CommitUnknownException extends FloeException {
  /**
   * Creates the exception.
   *
   * @param message why the command's fate is unknown
   */
  public CommitUnknownException(String message) {
    super(message);
  }
}
