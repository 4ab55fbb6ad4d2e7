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
import static org.assertj.core.api.Assertions.fail;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.spi.EventLoop;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Closing a transport ends every connection it accepted, including those whose dialer's handshake
 * has not been read yet. Such a connection is in none of the transport's maps; if it outlived the
 * transport, its dialer would go on writing into a socket nobody reads and never redial: a
 * version-4 dialer (or a newer one that fell back to version 4) expects no answer, so nothing
 * would ever tell it. That is how a peer lost a node upgraded in place on the same port.
 */
@ExtendWith(LeakCheck.class)
class TransportCloseTest {
  private static final NodeId SERVER = NodeId.of("server");
  private static final NodeId DIALER = NodeId.of("dialer");
  private static final int END_TIMEOUT_MILLIS = 5_000;

  /**
   * Netty does not close them itself: on Netty 4.2, a shutdown of the I/O threads that starts while
   * a thread is running tasks ends that thread with its channels still open. Closing from the I/O
   * thread (as a node whose loop runs there does) always hits that window; closing from another
   * thread hits it now and then.
   */
  @ParameterizedTest(name = "closed on its own I/O thread: {0}, native transport: {1}")
  @CsvSource({"true, true", "true, false", "false, true", "false, false"})
  void closeEndsEveryAcceptedConnectionEvenOneWhoseHandshakeWasNotReadYet(boolean onIoThread,
      boolean nativeTransport) throws IOException {
    NettyTransport server =
        new NettyTransport(Cluster.defaults(0).nativeTransport(nativeTransport).build());
    EventLoop ioThread = server.eventLoop().orElseThrow();
    server.start(Cluster.CLUSTER, SERVER, new Inbox());
    try (Socket silent = connect(server); Socket refused = connect(server)) {
      // The refusal shows that the transport accepted `refused`, and so `silent` before it.
      refused.getOutputStream().write(HostileInputTest.frame(
          new Handshake(WireFormat.VERSION, "another-cluster", DIALER)));
      assertThat(readRefusal(refused).reason()).isEqualTo(WireFormat.REFUSED_OTHER_CLUSTER);

      if (onIoThread) {
        ioThread.execute(server::close);
      } else {
        server.close();
      }

      assertEndedByServer(silent, "whose dialer has sent nothing yet");
      assertEndedByServer(refused, "that the transport is refusing");
    } finally {
      server.close();
    }
  }

  private static Socket connect(NettyTransport t) throws IOException {
    Socket s = new Socket();
    s.connect(t.localAddress(), 2_000);
    s.setSoTimeout(END_TIMEOUT_MILLIS);
    return s;
  }

  private static Refusal readRefusal(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] body = new byte[in.readInt()];
    in.readFully(body);
    return new MessageCodec().decodeRefusal(Unpooled.wrappedBuffer(body));
  }

  private static void assertEndedByServer(Socket s, String which) throws IOException {
    try {
      assertThat(s.getInputStream().read()).as("bytes on a connection " + which).isEqualTo(-1);
    } catch (SocketException reset) {
      // ended with a reset: as good as an end of stream here
    } catch (SocketTimeoutException e) {
      fail("a connection " + which + " was still open " + END_TIMEOUT_MILLIS
          + " ms after the transport was closed");
    }
  }
}
