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

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Reads PEM files with the JDK alone: certificates, and a PKCS#8 private key, plain ({@code BEGIN
 * PRIVATE KEY}) or encrypted with a password ({@code BEGIN ENCRYPTED PRIVATE KEY}, as {@code
 * openssl pkcs8 -topk8 -v2 aes-256-cbc} writes it, or with the older PBES1 schemes). Every error
 * names the file. Reading them here rather than in Netty keeps their handling the same on Netty
 * 4.1 and 4.2, and lets the transport check what they hold before it serves a connection.
 */
final class PemFiles {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  private static final String PBES2_OID = "1.2.840.113549.1.5.13";
  private static final String[] KEY_ALGORITHMS = {"EC", "RSA", "EdDSA", "RSASSA-PSS"};

  private PemFiles() {}

  /** One block of a PEM file: its label and its DER bytes. */
  private record Block(String label, byte[] der) {}

  /**
   * Reads every certificate of a PEM file, in order.
   *
   * @param what what the file is, for errors ("certificate chain")
   * @throws IOException naming the file if it cannot be read or holds no valid certificate
   */
  static List<X509Certificate> certificates(Path file, String what) throws IOException {
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Block b : blocks(file, what)) {
        if (b.label().equals("CERTIFICATE")) {
          certificates.add((X509Certificate)
              factory.generateCertificate(new ByteArrayInputStream(b.der())));
        }
      }
    } catch (CertificateException e) {
      throw new IOException("the TLS " + what + " file " + file + " holds an invalid certificate: "
          + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IOException("the TLS " + what + " file " + file
          + " holds no PEM certificate (BEGIN CERTIFICATE)");
    }
    return certificates;
  }

  /**
   * Reads the PKCS#8 private key of a PEM file, decrypting it with {@code password} if it is
   * encrypted.
   *
   * @param password the key's password, or null if it is not encrypted
   * @throws IOException naming the file if it cannot be read, holds no PKCS#8 key, is encrypted and
   *     no password or a wrong one was given
   */
  static PrivateKey privateKey(Path file, char[] password) throws IOException {
    for (Block b : blocks(file, "private key")) {
      switch (b.label()) {
        case "PRIVATE KEY":
          return decode(file, new PKCS8EncodedKeySpec(b.der()));
        case "ENCRYPTED PRIVATE KEY":
          if (password == null) {
            throw new IOException("the TLS private key file " + file + " is encrypted: give its "
                + "password (NettyTransportOptions.Builder.tlsPrivateKeyPassword)");
          }
          return decode(file, decrypt(file, b.der(), password));
        case "RSA PRIVATE KEY":
        case "EC PRIVATE KEY":
          throw new IOException("the TLS private key file " + file + " holds a " + b.label()
              + " (PKCS#1 or SEC1), not PKCS#8; convert it with: openssl pkcs8 -topk8 -nocrypt"
              + " -in " + file.getFileName() + " -out key.pk8.pem");
        default:
          break; // parameters, certificates: look on
      }
    }
    throw new IOException("the TLS private key file " + file
        + " holds no PEM private key (BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY)");
  }

  private static PKCS8EncodedKeySpec decrypt(Path file, byte[] der, char[] password)
      throws IOException {
    try {
      EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
      AlgorithmParameters parameters = info.getAlgParameters();
      String algorithm = info.getAlgName();
      if (algorithm.equals("PBES2") || algorithm.equals(PBES2_OID)) {
        // The JDK names a PBES2 scheme by its parameters: PBEWithHmacSHA256AndAES_256.
        algorithm = parameters.toString();
      }
      SecretKeyFactory keys = SecretKeyFactory.getInstance(algorithm);
      Cipher cipher = Cipher.getInstance(algorithm);
      cipher.init(Cipher.DECRYPT_MODE, keys.generateSecret(new PBEKeySpec(password)), parameters);
      return info.getKeySpec(cipher);
    } catch (InvalidKeySpecException e) {
      throw new IOException("cannot decrypt the TLS private key file " + file
          + ": wrong password?", e);
    } catch (IOException | GeneralSecurityException e) {
      throw new IOException("cannot decrypt the TLS private key file " + file + " (its scheme is"
          + " not one this JVM supports; use openssl pkcs8 -topk8 -v2 aes-256-cbc): " + e, e);
    }
  }

  private static PrivateKey decode(Path file, PKCS8EncodedKeySpec spec) throws IOException {
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IOException("the TLS private key file " + file
        + " holds a PKCS#8 key of an algorithm this JVM cannot read (use EC, RSA or Ed25519)");
  }

  private static List<Block> blocks(Path file, String what) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IOException("cannot read the TLS " + what + " file " + file + ": " + e, e);
    }
    List<Block> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw new IOException("the TLS " + what + " file " + file + " holds a PEM block ("
            + m.group(1) + ") that is not valid Base64", e);
      }
    }
    return blocks;
  }
}
