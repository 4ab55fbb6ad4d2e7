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
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * Every reference to Netty's epoll classes, in one class that is loaded only once {@link IoThreads}
 * has found them on the class path.
 */
final class EpollSupport {
  private EpollSupport() {}

  /** Returns why epoll cannot be used here (no native library for this system), or null. */
  static Throwable unavailabilityCause() {
    return Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
  }

  @SuppressWarnings("deprecation") // see IoThreads: the group class both Netty lines have
  static EventLoopGroup group(int threads, ThreadFactory factory) {
    return new EpollEventLoopGroup(threads, factory);
  }

  static Class<? extends Channel> socketChannel() {
    return EpollSocketChannel.class;
  }

  static Class<? extends ServerChannel> serverChannel() {
    return EpollServerSocketChannel.class;
  }
}
