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
 * Told of a node's {@link NodeEvent}s: elections, membership changes, snapshots, a failure. Set it
 * with {@link RaftNodeBuilder#listener}. It is called on a thread of the node's own (started only
 * when a listener is set), one event at a time, in order; an exception it throws is logged and the
 * next event still comes.
 */
@FunctionalInterface
public interface RaftListener {
  /**
   * One event.
   *
   * @param event what happened
   */
  void onEvent(NodeEvent event);
}
