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
 * A command is larger than {@link RaftOptions#maxCommandBytes()}: it was refused at {@code submit},
 * before anything was replicated. Split it, or raise the limit (and the transport's with it).
 */
public class CommandTooLargeException extends FloeException {
  /**
   * Creates the exception.
   *
   * @param message the command's size and the limit it exceeds
   */
  public CommandTooLargeException(String message) {
    super(message);
  }
}
