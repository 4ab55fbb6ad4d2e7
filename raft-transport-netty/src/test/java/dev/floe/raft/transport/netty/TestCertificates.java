package dev.floe.raft.transport.netty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes CAs and CA-signed node certificates as PEM files at test time, with the JDK's own
 * {@code keytool} (no extra dependency): keytool generates the key pairs, certificate requests and
 * signed certificates; the private key is read back from the PKCS#12 store with the JDK's
 * {@link KeyStore} and written as PKCS#8 PEM, which is what Netty reads.
 */
final class TestCertificates {
  private static final String PASSWORD = "changeit";

  private final Path dir;

  TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** The files of one node. */
  record NodeFiles(Path privateKey, Path certificateChain, Path trustedCa) {}

  /** Creates a self-signed CA named {@code name}; returns its certificate's PEM file. */
  Path createCa(String name) throws IOException {
    keytool("-genkeypair", "-keystore", store(name), "-alias", name, "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=" + name, "-validity", "2", "-ext", "bc:c");
    Path pem = dir.resolve(name + ".crt.pem");
    keytool("-exportcert", "-keystore", store(name), "-alias", name, "-rfc", "-file",
        pem.toString());
    return pem;
  }

  /**
   * Creates a key pair for {@code node} and a certificate for it signed by CA {@code ca}; the
   * node trusts {@code trustedCa}.
   */
  NodeFiles createNode(String node, String ca, Path trustedCa) throws IOException {
    keytool("-genkeypair", "-keystore", store(node), "-alias", node, "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=" + node, "-validity", "2");
    Path csr = dir.resolve(node + ".csr");
    keytool("-certreq", "-keystore", store(node), "-alias", node, "-file", csr.toString());
    Path cert = dir.resolve(node + ".crt.pem");
    keytool("-gencert", "-keystore", store(ca), "-alias", ca, "-infile", csr.toString(),
        "-outfile", cert.toString(), "-rfc", "-validity", "2",
        "-ext", "ku:c=digitalSignature,keyAgreement", "-ext", "eku=serverAuth,clientAuth",
        "-ext", "san=ip:127.0.0.1,dns:localhost");
    Path key = dir.resolve(node + ".key.pem");
    Files.writeString(key, privateKeyPem(node), StandardCharsets.US_ASCII);
    return new NodeFiles(key, cert, trustedCa);
  }

  private String privateKeyPem(String alias) throws IOException {
    try (InputStream in = Files.newInputStream(Path.of(store(alias)))) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD.toCharArray());
      Key key = ks.getKey(alias, PASSWORD.toCharArray());
      if (!"PKCS#8".equals(key.getFormat())) {
        throw new IOException("unexpected key format " + key.getFormat());
      }
      return "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  private String store(String alias) {
    return dir.resolve(alias + ".p12").toString();
  }

  private void keytool(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD,
        "-noprompt"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("keytool timed out: " + command);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException("keytool failed (" + p.exitValue() + "): " + command + "\n" + output);
    }
  }
}
