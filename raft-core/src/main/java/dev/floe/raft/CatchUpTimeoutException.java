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
 * A voter could not be added (or a learner promoted) because the learner did not catch up with the
 * leader within {@link RaftOptions#learnerCatchUpTimeoutMillis()}: it stays a learner. Asking
 * again later promotes it once it has caught up.
 */
public class CatchUpTimeoutException extends MembershipChangeRefusedException {
  /**
   * Creates the exception.
   *
   * @param message which learner did not catch up, and for how long it was given
   */
  public CatchUpTimeoutException(String message) {
    super(message);
  }
}
