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
package dev.floe.raft.example;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request target ({@code /kv/caf%C3%A9?x=1}) split into its path segments and query parameters,
 * each percent-decoded exactly once, as strict UTF-8.
 *
 * <p>Each segment is decoded on its own, after the path was split on {@code /}: so {@code %2F} is a
 * slash inside a segment (the key {@code x/y} is {@code /kv/x%2Fy}), {@code %25} a percent sign
 * ({@code /kv/%2541} is the key {@code %41}, not {@code A}), and {@code +} is itself. The target
 * must be ASCII (RFC 3986); a {@code %} not followed by two hex digits, and bytes that are not
 * valid UTF-8 once decoded, are refused with {@link MalformedTargetException} rather than replaced,
 * so that two different targets never name the same resource.
 *
 * <p>Immutable; thread-safe.
 */
final class RequestTarget {
  private final List<String> segments;
  private final Map<String, String> parameters;

  private RequestTarget(List<String> segments, Map<String, String> parameters) {
    this.segments = List.copyOf(segments);
    this.parameters = Map.copyOf(parameters);
  }

  /**
   * Parses an origin-form target, as in {@code GET /kv/a%20b?to=n2 HTTP/1.1}.
   *
   * @throws MalformedTargetException naming what is wrong with it
   */
  static RequestTarget parse(String target) {
    if (target.isEmpty() || target.charAt(0) != '/') {
      throw new MalformedTargetException("the request target must be a path starting with '/', not '"
          + printable(target) + "'");
    }
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new MalformedTargetException("the request target holds a character that is not "
            + "printable ASCII at offset " + i + ": percent-encode it (as UTF-8)");
      }
    }
    int hash = target.indexOf('#');
    String withoutFragment = hash < 0 ? target : target.substring(0, hash);
    int question = withoutFragment.indexOf('?');
    String path = question < 0 ? withoutFragment : withoutFragment.substring(0, question);
    String query = question < 0 ? "" : withoutFragment.substring(question + 1);
    List<String> segments = new ArrayList<>();
    for (String raw : path.substring(1).split("/", -1)) {
      segments.add(decode(raw, "path"));
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    if (!query.isEmpty()) {
      for (String pair : query.split("&", -1)) {
        if (pair.isEmpty()) {
          continue;
        }
        int equals = pair.indexOf('=');
        String name = decode(equals < 0 ? pair : pair.substring(0, equals), "query");
        String value = equals < 0 ? "" : decode(pair.substring(equals + 1), "query");
        if (parameters.putIfAbsent(name, value) != null) {
          throw new MalformedTargetException("the query names '" + name + "' twice");
        }
      }
    }
    return new RequestTarget(segments, parameters);
  }

  /** The decoded segments: {@code /} is {@code [""]}, {@code /kv/a} is {@code ["kv", "a"]}. */
  List<String> segments() {
    return segments;
  }

  /** The decoded segment at {@code index}, or null if the path has fewer. */
  String segment(int index) {
    return index < segments.size() ? segments.get(index) : null;
  }

  /** The decoded value of query parameter {@code name}, or null if absent. */
  String parameter(String name) {
    return parameters.get(name);
  }

  /** The path, re-encoded from its segments for messages: {@code /kv/x%2Fy}. */
  String path() {
    StringBuilder b = new StringBuilder();
    for (String s : segments) {
      b.append('/').append(printable(s));
    }
    return b.toString();
  }

  /** Percent-decodes one component; '+' is a plus sign, as in paths. */
  private static String decode(String raw, String part) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '%') {
        bytes.write(c);
        continue;
      }
      int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
      int low = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
      if (high < 0 || low < 0) {
        throw new MalformedTargetException("bad percent-encoding in the " + part + " at '"
            + raw.substring(i, Math.min(raw.length(), i + 3)) + "': '%' must be followed by two "
            + "hex digits (write '%' itself as %25)");
      }
      bytes.write(high * 16 + low);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedTargetException("the " + part + " segment '" + raw + "' is not valid UTF-8 "
          + "once percent-decoded");
    }
  }

  /** {@code text} with anything but printable ASCII percent-encoded, for messages. */
  private static String printable(String text) {
    StringBuilder b = new StringBuilder();
    for (byte x : text.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c > 0x20 && c < 0x7f && c != '%' && c != '/') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return b.toString();
  }

  /** A target that cannot be decoded; the message says why, for a 400. */
  static final class MalformedTargetException extends IllegalArgumentException {
    MalformedTargetException(String message) {
      super(message);
    }
  }
}
