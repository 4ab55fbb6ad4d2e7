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
