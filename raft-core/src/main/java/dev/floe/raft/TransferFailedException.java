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
 * A leadership transfer did not happen: its target did not take over within an election timeout,
 * another node took over, the target is not a voter, there is no other voter, or another transfer
 * was under way. The cluster is unchanged (this node, if it led, leads on).
 */
public class TransferFailedException extends FloeException {
  /**
   * Creates the exception.
   *
   * @param message which transfer failed, and why
   */
  public TransferFailedException(String message) {
    super(message);
  }
}
