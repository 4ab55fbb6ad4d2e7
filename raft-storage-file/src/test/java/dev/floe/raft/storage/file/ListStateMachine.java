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

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.floe.raft.spi.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A state machine that keeps the list of commands it applied, for the node-data fixture: a command
 * starting with {@code fail} is refused (the state machine throws), any other is appended and
 * answered with its position ({@code #3}). A query returns the list, one command per line. Its
 * snapshot image: an int32 count, then each command in modified UTF-8 ({@code writeUTF}).
 */
final class ListStateMachine implements StateMachine {
  private final List<String> applied = new ArrayList<>();

  @Override
  public byte[] apply(long index, byte[] command) {
    String text = new String(command, UTF_8);
    if (text.startsWith("fail")) {
      throw new IllegalArgumentException("refused: " + text);
    }
    applied.add(text);
    return ("#" + applied.size()).getBytes(UTF_8);
  }

  @Override
  public byte[] query(byte[] query) {
    return String.join("\n", applied).getBytes(UTF_8);
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(applied.size());
    for (String c : applied) {
      d.writeUTF(c);
    }
    d.flush();
  }

  @Override
  public void restore(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    applied.clear();
    int n = d.readInt();
    for (int i = 0; i < n; i++) {
      applied.add(d.readUTF());
    }
  }
}
