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
package dev.floe.raft.example;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Netty HTTP server in front of {@link HttpApi} (or of the demo's {@link DemoWeb}): a
 * {@link ConnectionGuard} around {@code HttpServerCodec} (timeouts, versions, the body limit), an
 * aggregator, then the API.
 *
 * <p>It is bound ({@link #bind}) before the node starts, so that a port in use fails the start
 * before anything else is touched, and serves the API from {@link #serve} on, once the node runs.
 * Until then every request is answered {@code 503 {"error": "the node is starting"}} and its
 * connection closed, so that the client's next connection reaches the API.
 *
 * <p>At most {@link HttpLimits#maxConnections()} connections are served at once: one more is
 * answered {@code 503 {"error": "too many connections..."}} at once, without being read, and
 * closed. Bodies over {@link HttpApi#MAX_BODY_BYTES} bytes are refused with a 413 by the guard.
 */
final class HttpServer implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final AtomicInteger connections = new AtomicInteger();
  private final HttpLimits limits;
  private Channel channel;
  /** Null until {@link #serve}: connections made before get the {@link Starting} answer. */
  private volatile ChannelHandler api;

  private HttpServer(HttpLimits limits) {
    this.limits = limits;
  }

  /**
   * Listens on {@code address}, answering 503 until {@link #serve} is called.
   *
   * @param limits the timeouts and the connection limit
   * @throws IOException naming the address if it cannot be bound
   */
  static HttpServer bind(InetSocketAddress address, HttpLimits limits) throws IOException {
    HttpServer server = new HttpServer(limits);
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(server.group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            server.initConnection(ch);
          }
        });
    try {
      server.channel = bootstrap.bind(address).syncUninterruptibly().channel();
      return server;
    } catch (RuntimeException e) {
      server.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IOException("cannot listen for HTTP on " + address + ": " + e.getMessage(), e);
    }
  }

  private void initConnection(SocketChannel ch) {
    if (connections.incrementAndGet() > limits.maxConnections()) {
      connections.decrementAndGet();
      ch.pipeline().addLast("refusal", ConnectionGuard.refusal(HttpResponseStatus.SERVICE_UNAVAILABLE,
          "too many connections: this server serves at most " + limits.maxConnections()
              + " at once; retry later"));
      return;
    }
    ch.closeFuture().addListener(f -> connections.decrementAndGet());
    ConnectionGuard guard = new ConnectionGuard(limits, HttpApi.MAX_BODY_BYTES);
    ChannelHandler current = api;
    ch.pipeline()
        .addLast("guard-bytes", guard.bytes())
        .addLast("http-codec", new HttpServerCodec())
        .addLast("guard", guard.messages())
        .addLast("aggregator", new HttpObjectAggregator(HttpApi.MAX_BODY_BYTES))
        .addLast("api", current != null ? current : new Starting());
  }

  /**
   * Serves {@code api} (the started node's, or the demo's) on every connection made from now on.
   *
   * @param api the handler of full requests; {@link ChannelHandler.Sharable}, and it must answer
   *     every request exactly once
   */
  void serve(ChannelHandler api) {
    this.api = api;
  }

  /** Returns the address the server listens on. */
  InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  /** What a connection made while the node starts gets: a 503, then the connection closes. */
  private static final class Starting extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      byte[] body = Json.bytes(Json.error("the node is starting", null));
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.wrappedBuffer(body));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      HttpUtil.setContentLength(response, body.length);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
