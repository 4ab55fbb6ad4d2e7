/**
 * The default {@link dev.floe.raft.spi.Transport}: Raft messages as length-prefixed binary frames
 * over TCP with Netty, optionally in mutual TLS. Start with {@link
 * dev.floe.raft.transport.netty.NettyTransport} and {@link
 * dev.floe.raft.transport.netty.NettyTransportOptions}; the wire format is documented on the
 * package-private {@code WireFormat} class.
 */
package dev.floe.raft.transport.netty;
