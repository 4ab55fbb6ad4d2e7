package dev.floe.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's guide ({@code docs/transport.md}) shows the openssl commands the TLS tests run,
 * word for word: a CA, a node's key, request and certificate with its extensions file, and an
 * encrypted key. If a test changes how it makes certificates, the guide must change with it.
 */
class TransportGuideTest {

  @TempDir Path dir;

  @Test
  void theGuideShowsEveryOpensslCommandTheTestsRun() throws IOException {
    String guide = Files.readString(Path.of(System.getProperty("floe.transport.guide")));
    TestCertificates certs = new TestCertificates(dir);
    Path ca = certs.createCa("ca");
    certs.createNode("n1", "ca", ca);
    certs.encryptKey("n1", "secret");

    List<String> commands = certs.commands();
    assertThat(commands).hasSize(4);
    for (String command : commands) {
      assertThat(guide).as("docs/transport.md shows the command").contains("\n" + command + "\n");
    }
    assertThat(guide).contains(
        TestCertificates.extensions("URI:floe:node:n1, DNS:localhost, IP:127.0.0.1"));
    assertThat(Files.readString(dir.resolve("n1.ext"))).isEqualTo(
        TestCertificates.extensions("URI:floe:node:n1, DNS:localhost, IP:127.0.0.1"));
  }
}
