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
