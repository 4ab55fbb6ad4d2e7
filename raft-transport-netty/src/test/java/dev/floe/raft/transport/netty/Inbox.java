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
package dev.floe.raft.transport.netty;

import dev.floe.raft.message.RaftMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Collects the messages a transport delivers. Thread-safe. */
final class Inbox implements Consumer<RaftMessage> {
  private final List<RaftMessage> received = new CopyOnWriteArrayList<>();

  @Override
  public void accept(RaftMessage m) {
    received.add(m);
  }

  List<RaftMessage> received() {
    return List.copyOf(received);
  }

  int size() {
    return received.size();
  }
}
