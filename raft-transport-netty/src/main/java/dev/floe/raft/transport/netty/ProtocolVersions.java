package dev.floe.raft.transport.netty;

/**
 * A range of protocol versions, both ends included: those a node speaks, or those a dialer's
 * handshake offers.
 *
 * @param min the lowest version
 * @param max the highest version
 */
record ProtocolVersions(int min, int max) {
  /** What this code speaks: the current version and the one before it. */
  static final ProtocolVersions CURRENT =
      new ProtocolVersions(WireFormat.MIN_VERSION, WireFormat.VERSION);

  /**
   * Validates the range.
   *
   * @throws IllegalArgumentException if {@code min} is below 1 or above {@code max}, or {@code
   *     max} does not fit in a u16
   */
  ProtocolVersions {
    if (min < 1 || min > max || max > 0xFFFF) {
      throw new IllegalArgumentException("bad protocol version range " + min + " to " + max);
    }
  }

  /** The range of one version. */
  static ProtocolVersions exactly(int version) {
    return new ProtocolVersions(version, version);
  }

  /** Returns the highest version in both ranges, or 0 if they have none in common. */
  int highestCommon(ProtocolVersions other) {
    int highest = Math.min(max, other.max);
    return highest >= Math.max(min, other.min) ? highest : 0;
  }

  /** Returns whether {@code version} is in the range. */
  boolean contains(int version) {
    return version >= min && version <= max;
  }

  /** {@code "4 to 5"}, or {@code "4"} for a range of one version. */
  @Override
  public String toString() {
    return min == max ? String.valueOf(min) : min + " to " + max;
  }
}
