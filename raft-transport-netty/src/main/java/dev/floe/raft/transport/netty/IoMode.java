package dev.floe.raft.transport.netty;

/**
 * How a {@link NettyTransport} does its socket I/O: see {@link NettyTransport#ioMode()}.
 *
 * <p>Native epoll is used when {@link NettyTransportOptions.Builder#nativeTransport(boolean)} is on
 * (the default), the process runs on Linux on x86_64 or aarch64, and Netty's epoll jars are on the
 * class path (this module depends on them; excluding them is supported). Otherwise the transport
 * uses NIO, which works everywhere and differs only in speed.
 */
public enum IoMode {
  /** Linux's epoll, through Netty's native transport. */
  EPOLL,
  /** The JDK's NIO selectors. */
  NIO
}
