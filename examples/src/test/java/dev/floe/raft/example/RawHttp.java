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

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client over a plain socket to 127.0.0.1 that sends exactly the bytes it is given,
 * when it is told to, and reads responses as they come: what a test needs to be a slow, sloppy or
 * hostile client. Every read gives up after {@value #READ_TIMEOUT_MILLIS} ms, so that a server that
 * never answers fails the test instead of hanging it.
 */
final class RawHttp implements AutoCloseable {
  static final int READ_TIMEOUT_MILLIS = 20_000;

  /** A response: its status, its headers (names in lower case) and its body. */
  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket = new Socket();
  private final InputStream in;
  private final OutputStream out;

  RawHttp(int port) throws IOException {
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** Sends the bytes (blocking until the kernel took them all). */
  synchronized void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Sends the bytes; false if the connection no longer takes them. */
  boolean trySend(byte[] bytes) {
    try {
      send(bytes);
      return true;
    } catch (IOException closed) {
      return false;
    }
  }

  /**
   * Reads one response: the status line, the headers, and a body of {@code content-length} bytes
   * (none for a 1xx).
   *
   * @throws IOException if the connection ends first or nothing comes within the read timeout
   */
  Response readResponse() throws IOException {
    String statusLine = line();
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not a status line: '" + statusLine + "'");
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String header = line(); !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          header.substring(colon + 1).trim());
    }
    int length = status < 200 ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new IOException("the connection ended after " + body.length + " of " + length
          + " bytes of the body");
    }
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  /**
   * Reads until the server ends the stream, and returns what came before: empty when the server
   * closed with nothing more to say.
   *
   * @throws java.net.SocketTimeoutException if the server keeps the connection open
   * @throws java.net.SocketException if it resets the connection instead of closing it
   */
  String readToEnd() throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a test's socket: nothing to do
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the connection ended in the middle of a response head ('"
            + line.toString(StandardCharsets.US_ASCII) + "')");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
