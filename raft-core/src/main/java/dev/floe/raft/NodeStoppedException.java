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
 * The node is closed, or stopped taking part after a storage failure (the cause): it takes no
 * requests and never acknowledges anything that is not durable.
 */
public class NodeStoppedException extends FloeException {
  /**
   * Creates the exception.
   *
   * @param message what was stopped
   * @param cause why the node stopped, or {@code null} if it was closed
   */
  public NodeStoppedException(String message, Throwable cause) {
    super(message, cause);
  }
}
