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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes CAs and CA-signed node certificates as PEM files at test time with {@code openssl}, run
 * in the directory the files go to, with the very command lines that {@code docs/transport.md}
 * shows an operator ({@link TransportGuideTest} checks that the guide has each of them). Node
 * certificates name their node as {@code URI:floe:node:<id>}, as the transport requires.
 */
final class TestCertificates {
  static final int DAYS = 365;

  private final Path dir;
  private final List<String> commands = new ArrayList<>();

  TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** The files of one node. */
  record NodeFiles(Path privateKey, Path certificateChain, Path trustedCa) {}

  /**
   * Creates a self-signed CA: its key {@code <name>.key} and certificate {@code <name>.crt},
   * subject {@code CN=floe-<name>}; returns the certificate's file.
   */
  Path createCa(String name) throws IOException {
    openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-noenc", "-keyout", name + ".key", "-out", name + ".crt", "-days", String.valueOf(DAYS),
        "-subj", "/CN=floe-" + name, "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return dir.resolve(name + ".crt");
  }

  /**
   * Creates a key and a certificate for {@code node}, signed by CA {@code ca}, naming the node
   * and 127.0.0.1 (and localhost); the node trusts {@code trustedCa}.
   */
  NodeFiles createNode(String node, String ca, Path trustedCa) throws IOException {
    return createCertificate(node, ca, trustedCa,
        "URI:" + NodeIdentity.URI_PREFIX + node + ", DNS:localhost, IP:127.0.0.1");
  }

  /**
   * Creates {@code <file>.key} and {@code <file>.crt}, subject {@code CN=<file>}, signed by CA
   * {@code ca}, with the given subject alternative names (as openssl writes them: {@code
   * "URI:floe:node:n1, DNS:localhost"}).
   */
  NodeFiles createCertificate(String file, String ca, Path trustedCa, String subjectAltName)
      throws IOException {
    Files.writeString(dir.resolve(file + ".ext"), extensions(subjectAltName),
        StandardCharsets.US_ASCII);
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc",
        "-keyout", file + ".key", "-out", file + ".csr", "-subj", "/CN=" + file);
    openssl("x509", "-req", "-in", file + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
        "-CAcreateserial", "-days", String.valueOf(DAYS), "-out", file + ".crt",
        "-extfile", file + ".ext");
    return new NodeFiles(dir.resolve(file + ".key"), dir.resolve(file + ".crt"), trustedCa);
  }

  /** The extensions file of a node certificate: its names and what it may be used for. */
  static String extensions(String subjectAltName) {
    return "subjectAltName = " + subjectAltName + "\n"
        + "extendedKeyUsage = serverAuth, clientAuth\n"
        + "keyUsage = critical, digitalSignature, keyAgreement\n";
  }

  /**
   * Encrypts {@code <file>.key} with {@code password} (kept in {@code <file>.pass}) as PKCS#8
   * with AES-256; returns the new file, {@code <file>.enc.key}.
   */
  Path encryptKey(String file, String password) throws IOException {
    Files.writeString(dir.resolve(file + ".pass"), password + "\n", StandardCharsets.UTF_8);
    openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", file + ".key", "-out",
        file + ".enc.key", "-passout", "file:" + file + ".pass");
    return dir.resolve(file + ".enc.key");
  }

  /** Writes the certificates of several CAs into one trusted-CA file {@code <name>}. */
  Path bundle(String name, Path... cas) throws IOException {
    StringBuilder b = new StringBuilder();
    for (Path ca : cas) {
      b.append(Files.readString(ca, StandardCharsets.US_ASCII));
    }
    return Files.writeString(dir.resolve(name), b.toString(), StandardCharsets.US_ASCII);
  }

  /** Returns the command lines run so far, each as one line with single spaces. */
  List<String> commands() {
    return List.copyOf(commands);
  }

  private void openssl(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    commands.add(String.join(" ", command));
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("the TLS tests make their certificates with openssl, which cannot be "
          + "run here: " + e.getMessage(), e);
    }
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
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException("openssl failed (" + p.exitValue() + "): " + command + "\n" + output);
    }
  }
}
