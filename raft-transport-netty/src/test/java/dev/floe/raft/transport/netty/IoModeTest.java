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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.floe.raft.cluster.NodeId;
import io.netty.channel.epoll.Epoll;
import io.netty.util.Version;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The transport says which I/O mode it uses, and logs it once at start with the Netty version. */
@ExtendWith(LeakCheck.class)
class IoModeTest {
  private static final NodeId A = NodeId.of("a");

  @Test
  void nativeEpollIsUsedWhereNettyShipsItAndSaidAtStart() throws IOException {
    IoMode expected = Epoll.isAvailable() ? IoMode.EPOLL : IoMode.NIO;
    String version = Version.identify().get("netty-transport").artifactVersion();
    try (LogCapture logs = new LogCapture()) {
      NettyTransport t = new NettyTransport(Cluster.defaults(0).build());
      try {
        assertThatThrownBy(t::ioMode).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("start it first");
        t.start(Cluster.CLUSTER, A, m -> { });
        assertThat(t.ioMode()).isEqualTo(expected);
        assertThat(logs.lines("INFO", "a: listening on", "(" + expected.name().toLowerCase()
            + ", plaintext, protocol versions 4 to 5, Netty " + version + ")")).hasSize(1);
      } finally {
        t.close();
      }
    }
  }

  @Test
  void nioIsUsedWhenNativeTransportIsOff() throws IOException {
    NettyTransport t = new NettyTransport(Cluster.defaults(0).nativeTransport(false).build());
    try {
      t.eventLoop(); // the node asks for its loop before start: the mode is known from then on
      assertThat(t.ioMode()).isEqualTo(IoMode.NIO);
      t.start(Cluster.CLUSTER, A, m -> { });
      assertThat(t.ioMode()).isEqualTo(IoMode.NIO);
    } finally {
      t.close();
    }
  }
}
