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

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Reads what the transports log. The tests log through slf4j-simple to {@code System.err}, which
 * it looks up for every line; so this replaces {@code System.err} with a stream that writes to the
 * original and keeps a copy, until {@link #close()}. Thread-safe.
 */
final class LogCapture implements AutoCloseable {
  private final PrintStream original;
  private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

  LogCapture() {
    original = System.err;
    System.setErr(new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        original.write(b);
        synchronized (copy) {
          copy.write(b);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        original.write(b, off, len);
        synchronized (copy) {
          copy.write(b, off, len);
        }
      }
    }, true, StandardCharsets.UTF_8));
  }

  /** Returns the complete lines logged so far that contain every one of {@code parts}. */
  List<String> lines(String... parts) {
    String text;
    synchronized (copy) {
      text = copy.toString(StandardCharsets.UTF_8);
    }
    int end = text.lastIndexOf('\n');
    String complete = end < 0 ? "" : text.substring(0, end);
    return complete.lines()
        .filter(line -> Arrays.stream(parts).allMatch(line::contains))
        .toList();
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
