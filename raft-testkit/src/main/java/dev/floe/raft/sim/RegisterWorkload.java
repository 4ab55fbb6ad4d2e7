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
package dev.floe.raft.sim;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The workload of the default state machine, a {@link RegisterStateMachine}: distinct commands
 * ({@code c-1}, {@code c-2}, ..., or those a supplier makes), each of which becomes the register's
 * value, and the empty query, which reads it. Large commands are distinct too, and hold bytes of
 * every value, 0x80 and above among them.
 */
final class RegisterWorkload implements Workload {
  private final Supplier<byte[]> commands;
  private long counter;

  /** @param commands makes the commands, or null for {@code c-<n>} */
  RegisterWorkload(Supplier<byte[]> commands) {
    this.commands = commands;
  }

  @Override
  public byte[] command(RandomGenerator random) {
    if (commands != null) {
      return commands.get();
    }
    return ("c-" + (++counter)).getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public byte[] query(RandomGenerator random) {
    return new byte[0];
  }

  @Override
  public byte[] largeCommand(RandomGenerator random, int sizeBytes) {
    long n = ++counter;
    byte[] prefix = ("large-" + n + "-").getBytes(StandardCharsets.US_ASCII);
    byte[] command = new byte[sizeBytes];
    int filled = Math.min(256, sizeBytes);
    for (int i = 0; i < filled; i++) {
      command[i] = (byte) (i + n); // every byte value
    }
    while (filled < sizeBytes) { // the pattern, doubled
      int copied = Math.min(filled, sizeBytes - filled);
      System.arraycopy(command, 0, command, filled, copied);
      filled += copied;
    }
    System.arraycopy(prefix, 0, command, 0, Math.min(prefix.length, sizeBytes));
    return command;
  }
}
