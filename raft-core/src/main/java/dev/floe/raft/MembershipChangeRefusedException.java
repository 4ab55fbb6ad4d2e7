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
 * A membership change was refused because it cannot be made: removing the last voter, or promoting
 * a node that is not a learner. Nothing changed.
 */
public class MembershipChangeRefusedException extends FloeException {
  /**
   * Creates the exception.
   *
   * @param message which change was refused, and why
   */
  public MembershipChangeRefusedException(String message) {
    super(message);
  }
}
