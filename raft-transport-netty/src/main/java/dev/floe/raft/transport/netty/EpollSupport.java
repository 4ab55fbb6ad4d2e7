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
