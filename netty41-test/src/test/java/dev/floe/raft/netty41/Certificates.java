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
package dev.floe.raft.netty41;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CA and node certificates made with openssl, in the directory they are written to, by the
 * commands of the transport guide ({@code docs/transport.md}): each node's certificate names it as
 * {@code URI:floe:node:<id>}.
 */
final class Certificates {
  private final Path dir;

  Certificates(Path dir) {
    this.dir = dir;
  }

  /** Creates {@code ca.key} and {@code ca.crt}; returns the certificate's file. */
  Path createCa() throws IOException {
    openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-noenc", "-keyout", "ca.key", "-out", "ca.crt", "-days", "365", "-subj", "/CN=floe-ca",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return dir.resolve("ca.crt");
  }

  /** Creates {@code <node>.key} and {@code <node>.crt}, signed by the CA; returns the key. */
  Path createNode(String node) throws IOException {
    Files.writeString(dir.resolve(node + ".ext"), "subjectAltName = URI:floe:node:" + node
        + ", DNS:localhost, IP:127.0.0.1\n"
        + "extendedKeyUsage = serverAuth, clientAuth\n"
        + "keyUsage = critical, digitalSignature, keyAgreement\n", StandardCharsets.US_ASCII);
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc",
        "-keyout", node + ".key", "-out", node + ".csr", "-subj", "/CN=" + node);
    openssl("x509", "-req", "-in", node + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "365", "-out", node + ".crt", "-extfile", node + ".ext");
    return dir.resolve(node + ".key");
  }

  /** Encrypts {@code <node>.key} with {@code password}; returns {@code <node>.enc.key}. */
  Path encryptKey(String node, String password) throws IOException {
    Files.writeString(dir.resolve(node + ".pass"), password + "\n", StandardCharsets.UTF_8);
    openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", node + ".key", "-out",
        node + ".enc.key", "-passout", "file:" + node + ".pass");
    return dir.resolve(node + ".enc.key");
  }

  Path file(String name) {
    return dir.resolve(name);
  }

  private void openssl(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .start();
    try {
      p.getOutputStream().close();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("openssl timed out: " + command);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException("openssl failed (" + p.exitValue() + "): " + command + "\n"
          + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
