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

/** Shows bytes in a violation's text: as a string if they are short printable ASCII, else hex. */
final class Bytes {
  private static final int SHOWN = 24;

  private Bytes() {}

  static String show(byte[] bytes) {
    if (bytes == null) {
      return "nothing";
    }
    boolean printable = bytes.length <= 64;
    for (int i = 0; printable && i < bytes.length; i++) {
      printable = bytes[i] >= 0x20 && bytes[i] < 0x7f;
    }
    if (printable) {
      return '"' + new String(bytes, StandardCharsets.US_ASCII) + '"';
    }
    StringBuilder b = new StringBuilder("0x");
    for (int i = 0; i < Math.min(SHOWN, bytes.length); i++) {
      b.append(String.format("%02x", bytes[i]));
    }
    if (bytes.length > SHOWN) {
      b.append("...");
    }
    return b.append(" (").append(bytes.length).append(" bytes)").toString();
  }
}
