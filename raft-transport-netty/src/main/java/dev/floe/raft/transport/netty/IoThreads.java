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

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the transport's I/O threads and tells which channel classes go with them, with only the
 * APIs that Netty 4.1 and 4.2 both have: the event-loop groups of one I/O kind each ({@code
 * NioEventLoopGroup}, {@code EpollEventLoopGroup}), which 4.2 deprecates in favour of its own
 * {@code MultiThreadIoEventLoopGroup} but keeps, and builds on the same I/O handlers. So the
 * transport runs on whichever Netty line the application's class path carries.
 *
 * <p>Epoll classes are touched only through {@link EpollSupport}, after checking that they are on
 * the class path, so that an application may exclude Netty's epoll jars and run on NIO.
 */
final class IoThreads {
  private static final Logger log = LoggerFactory.getLogger(IoThreads.class);
  private static final String EPOLL_CLASS = "io.netty.channel.epoll.Epoll";

  private IoThreads() {}

  /**
   * Chooses the I/O mode: epoll if it is wanted and available; NIO otherwise, logging at INFO why
   * epoll is not used when it was wanted.
   */
  static IoMode choose(boolean nativeWanted, String who) {
    if (!nativeWanted) {
      return IoMode.NIO;
    }
    if (!epollClassesPresent()) {
      log.info("{}: Netty's epoll classes are not on the class path; using NIO", who);
      return IoMode.NIO;
    }
    Throwable cause = EpollSupport.unavailabilityCause();
    if (cause != null) {
      log.info("{}: native epoll is unavailable ({}); using NIO", who, cause.toString());
      return IoMode.NIO;
    }
    return IoMode.EPOLL;
  }

  private static boolean epollClassesPresent() {
    try {
      Class.forName(EPOLL_CLASS, false, IoThreads.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  @SuppressWarnings("deprecation") // the one group class that Netty 4.1 has too, see above
  static EventLoopGroup group(IoMode mode, int threads, ThreadFactory factory) {
    return mode == IoMode.EPOLL
        ? EpollSupport.group(threads, factory) : new NioEventLoopGroup(threads, factory);
  }

  static Class<? extends Channel> socketChannel(IoMode mode) {
    return mode == IoMode.EPOLL ? EpollSupport.socketChannel() : NioSocketChannel.class;
  }

  static Class<? extends ServerChannel> serverChannel(IoMode mode) {
    return mode == IoMode.EPOLL ? EpollSupport.serverChannel() : NioServerSocketChannel.class;
  }
}
