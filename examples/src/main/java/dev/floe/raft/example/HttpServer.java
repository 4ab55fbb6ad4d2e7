package dev.floe.raft.example;

import dev.floe.raft.NodeId;
import dev.floe.raft.RaftNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
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
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The Netty HTTP server in front of {@link HttpApi}: {@code HttpServerCodec}, an aggregator that
 * bounds a request's size, then the API.
 *
 * <p>It is bound ({@link #bind}) before the node starts, so that a port in use fails the start
 * before anything else is touched, and serves the API from {@link #serve} on, once the node runs.
 * Until then every request is answered {@code 503 {"error": "the node is starting"}} and its
 * connection closed, so that the client's next connection reaches the API.
 *
 * <p>Bodies up to {@value #MAX_AGGREGATED_BYTES} bytes are read whole so that the API can answer a
 * value over its own limit with a JSON 413; anything larger is answered with a JSON 413 by the
 * aggregator, which then discards the rest of the body (and closes the connection unless it is
 * keep-alive).
 */
final class HttpServer implements AutoCloseable {
  static final int MAX_AGGREGATED_BYTES = 1024 * 1024;

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private Channel channel;
  /** Null until {@link #serve}: connections made before get the {@link Starting} answer. */
  private volatile HttpApi api;

  private HttpServer() {}

  /**
   * Listens on {@code address}, answering 503 until {@link #serve} is called.
   *
   * @throws IOException naming the address if it cannot be bound
   */
  static HttpServer bind(InetSocketAddress address) throws IOException {
    HttpServer server = new HttpServer();
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(server.group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            HttpApi current = server.api;
            ch.pipeline()
                .addLast("http-codec", new HttpServerCodec())
                .addLast("aggregator", new JsonRefusingAggregator(MAX_AGGREGATED_BYTES))
                .addLast("api", current != null ? current : new Starting());
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

  /**
   * Serves the API of {@code node}, which has started, on every connection made from now on.
   *
   * @param snapshotIndex the index of the node's latest snapshot (0 for none), for {@code /status};
   *     called on Netty's threads, so it must be cheap and thread-safe
   * @param staticAddresses the Raft addresses of the node's {@code --cluster}, for {@code GET /members}
   */
  void serve(RaftNode node, LongSupplier snapshotIndex, Map<NodeId, String> staticAddresses) {
    api = new HttpApi(node, snapshotIndex, staticAddresses);
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

  /** Answers an oversized request with a JSON 413 (Netty's default has an empty body). */
  private static final class JsonRefusingAggregator extends HttpObjectAggregator {
    JsonRefusingAggregator(int maxContentLength) {
      super(maxContentLength);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      FullHttpResponse response = tooLarge();
      if (HttpUtil.isKeepAlive(oversized)) {
        // The aggregator discards the rest of the body, so the connection stays usable, and the
        // client is not reset while it is still sending.
        ctx.writeAndFlush(response);
      } else {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    /** A request with {@code Expect: 100-continue} and a too large length gets the JSON 413 too. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength,
        ChannelPipeline pipeline) {
      Object response = super.newContinueResponse(start, maxContentLength, pipeline);
      if (response instanceof FullHttpResponse
          && ((FullHttpResponse) response).status().code() == 413) {
        ReferenceCountUtil.release(response);
        return tooLarge();
      }
      return response;
    }

    private static FullHttpResponse tooLarge() {
      byte[] body = Json.bytes(Json.error("request body over " + MAX_AGGREGATED_BYTES + " bytes", null));
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      HttpUtil.setContentLength(response, body.length);
      return response;
    }
  }
}
