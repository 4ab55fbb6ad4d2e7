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
