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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one HTTP connection within the server's {@link HttpLimits}: a head and a body must arrive
 * in time, an idle keep-alive connection is closed, only HTTP/1.0 and 1.1 are spoken, and a body
 * over the limit is refused in a way the client receives.
 *
 * <p>Two handlers share the connection's state: {@link #bytes()} before {@code HttpServerCodec},
 * which sees the bytes (the first byte of a request starts its head's clock; after a refusal it
 * discards what the client still sends), and {@link #messages()} after it, which sees the decoded
 * heads, bodies and responses.
 *
 * <h2>A connection's life</h2>
 * <pre>
 *   HEAD        waiting for a request's head: from the connection's opening, or from the first byte
 *               after an idle period; the header timeout applies (408 if bytes came, else a close)
 *   BODY        the head passed its checks; the body timeout applies (408)
 *   PROCESSING  the request is with the API; no timer; reading stops, and a pipelined request that
 *               was already read waits here, until the response is written
 *   IDLE        keep-alive, between a response and the next request's first byte; the idle timeout
 *               applies (a plain close: no request was begun)
 *   DISCARDING  refused: the error (with {@code connection: close}) is written, the output shut
 *               down, and what the client still sends is read and dropped, up to
 *               {@value #MAX_DISCARD_BYTES} bytes or {@value #LINGER_MILLIS} ms, then the
 *               connection closes
 * </pre>
 * Discarding rather than closing at once is what lets a client that writes its whole body before
 * it reads (Python's urllib does) receive the 413: closing a socket with unread input makes the
 * kernel reset the connection, and the client sees a broken pipe instead of the answer.
 *
 * <p>A head is refused with 505 for a version other than HTTP/1.0 and HTTP/1.1, 400 if it cannot be
 * parsed (414 for a request line, 431 for headers over Netty's limits), and 413 when its
 * {@code Content-Length} is over the body limit: at once, before the body, which is also the answer
 * to {@code Expect: 100-continue} (no {@code 100 Continue} is sent). A chunked body is refused with
 * 413 as soon as it passes the limit.
 *
 * <h2>Threading</h2>
 * One instance per connection, used only on its event loop.
 */
final class ConnectionGuard {
  /** The most a refused client may still send before its connection is closed regardless. */
  static final int MAX_DISCARD_BYTES = 4 * 1024 * 1024;
  /** How long a refused client has to finish sending before its connection is closed. */
  static final long LINGER_MILLIS = 2_000;

  private enum Phase { HEAD, BODY, PROCESSING, IDLE, DISCARDING }

  private final HttpLimits limits;
  private final int maxBodyBytes;
  private final Bytes bytes = new Bytes();
  private final Messages messages = new Messages();
  /** Messages of a pipelined request read while the previous one was processed. */
  private final ArrayDeque<Object> held = new ArrayDeque<>();

  private Channel channel;
  private ChannelHandlerContext messagesContext;
  private Phase phase = Phase.HEAD;
  private ScheduledFuture<?> timer;
  /** Whether a byte of the request in HEAD has arrived. */
  private boolean headBegun;
  private long bodyBytes;
  private long discardedBytes;
  private boolean keepAlive;

  ConnectionGuard(HttpLimits limits, int maxBodyBytes) {
    this.limits = limits;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The handler that goes before the HTTP codec. */
  ChannelHandler bytes() {
    return bytes;
  }

  /** The handler that goes right after the HTTP codec. */
  ChannelHandler messages() {
    return messages;
  }

  /**
   * Answers a connection over the limit with {@code status} and {@code message} (as JSON, with
   * {@code connection: close}) without reading a request, then discards what it sends, as a refused
   * request's connection does. Install it alone in the connection's pipeline.
   */
  static ChannelHandler refusal(HttpResponseStatus status, String message) {
    return new ChannelInboundHandlerAdapter() {
      private long discarded;

      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        byte[] body = Json.bytes(Json.error(message, null));
        String head = "HTTP/1.1 " + status + "\r\ncontent-type: application/json\r\n"
            + "content-length: " + body.length + "\r\nconnection: close\r\n\r\n";
        ByteBuf response = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body);
        ctx.writeAndFlush(response).addListener(f -> lingerThenClose(ctx.channel()));
        ctx.fireChannelActive();
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        discarded += msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes() : 0;
        ReferenceCountUtil.release(msg);
        if (discarded > MAX_DISCARD_BYTES) {
          ctx.close();
        }
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
      }
    };
  }

  // ------------------------------------------------------------------ the two handlers

  /** Before the codec: bytes. */
  private final class Bytes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      channel = ctx.channel();
      enter(Phase.HEAD, limits.headerTimeoutMillis(), ConnectionGuard.this::headTimedOut);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (phase == Phase.DISCARDING) {
        discardedBytes += msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes() : 0;
        ReferenceCountUtil.release(msg);
        if (discardedBytes > MAX_DISCARD_BYTES) {
          ctx.close();
        }
        return;
      }
      if (phase == Phase.IDLE) {
        enter(Phase.HEAD, limits.headerTimeoutMillis(), ConnectionGuard.this::headTimedOut);
      }
      if (phase == Phase.HEAD) {
        headBegun = true;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      cancelTimer();
      held.forEach(ReferenceCountUtil::release);
      held.clear();
      ctx.fireChannelInactive();
    }
  }

  /** After the codec: requests and responses. */
  private final class Messages extends ChannelDuplexHandler {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      messagesContext = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (phase == Phase.DISCARDING) {
        ReferenceCountUtil.release(msg);
      } else if (phase == Phase.PROCESSING || !held.isEmpty()) {
        held.add(msg); // pipelined: its turn comes once the response before it is written
      } else {
        receive(msg);
      }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      boolean interim = msg instanceof HttpResponse
          && ((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL;
      if (msg instanceof LastHttpContent && !interim && phase == Phase.PROCESSING) {
        boolean closing = msg instanceof HttpResponse && !HttpUtil.isKeepAlive((HttpResponse) msg);
        ChannelPromise written = promise.unvoid();
        written.addListener(f -> responseWritten(f.isSuccess() && !closing));
        ctx.write(msg, written);
      } else {
        ctx.write(msg, promise);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  // ------------------------------------------------------------------ the request's phases

  private void receive(Object msg) {
    if (msg instanceof DecoderResultProvider) {
      DecoderResult result = ((DecoderResultProvider) msg).decoderResult();
      if (result.isFailure()) {
        ReferenceCountUtil.release(msg);
        refuseMalformed(result.cause());
        return;
      }
    }
    if (msg instanceof HttpRequest && !head((HttpRequest) msg)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpContent) {
      bodyBytes += ((HttpContent) msg).content().readableBytes();
      if (bodyBytes > maxBodyBytes) {
        ReferenceCountUtil.release(msg);
        refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "request body over the limit of " + maxBodyBytes + " bytes");
        return;
      }
      if (msg instanceof LastHttpContent) {
        enter(Phase.PROCESSING, 0, null);
        channel.config().setAutoRead(false); // one request at a time; see responseWritten
      }
    }
    messagesContext.fireChannelRead(msg);
  }

  /** Checks a head; false if it was refused. */
  private boolean head(HttpRequest request) {
    HttpVersion version = request.protocolVersion();
    if (!version.equals(HttpVersion.HTTP_1_1) && !version.equals(HttpVersion.HTTP_1_0)) {
      refuse(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
          version.text() + " is not supported: use HTTP/1.1 (or HTTP/1.0)");
      return false;
    }
    if (HttpUtil.isContentLengthSet(request)) {
      long length;
      try {
        length = HttpUtil.getContentLength(request);
      } catch (NumberFormatException e) {
        refuse(HttpResponseStatus.BAD_REQUEST, "bad content-length header");
        return false;
      }
      if (length > maxBodyBytes) {
        refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body of " + length
            + " bytes is over the limit of " + maxBodyBytes + " bytes");
        return false;
      }
    }
    String expect = request.headers().get(HttpHeaderNames.EXPECT);
    if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim())) {
      refuse(HttpResponseStatus.EXPECTATION_FAILED,
          "unsupported expectation '" + expect + "': only 100-continue is");
      return false;
    }
    keepAlive = HttpUtil.isKeepAlive(request);
    bodyBytes = 0;
    enter(Phase.BODY, limits.bodyTimeoutMillis(), this::bodyTimedOut);
    return true;
  }

  private void refuseMalformed(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      refuse(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long: " + cause.getMessage());
    } else if (cause instanceof TooLongHttpHeaderException) {
      refuse(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "request headers too large: " + cause.getMessage());
    } else if (cause instanceof TooLongFrameException) {
      refuse(HttpResponseStatus.BAD_REQUEST, "request too large: " + cause.getMessage());
    } else {
      refuse(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: " + cause.getMessage());
    }
  }

  /** The response to the request in PROCESSING was written: wait for the next, or close. */
  private void responseWritten(boolean stayOpen) {
    if (phase != Phase.PROCESSING) {
      return;
    }
    if (!stayOpen || !keepAlive) {
      channel.close(); // the API closes it too; a second close is harmless
      return;
    }
    enter(Phase.IDLE, limits.idleTimeoutMillis(), channel::close);
    channel.config().setAutoRead(true);
    while (!held.isEmpty() && phase != Phase.PROCESSING && phase != Phase.DISCARDING) {
      Object next = held.poll();
      if (phase == Phase.IDLE) {
        enter(Phase.HEAD, limits.headerTimeoutMillis(), this::headTimedOut);
      }
      receive(next);
    }
  }

  private void headTimedOut() {
    if (phase != Phase.HEAD) {
      return;
    }
    if (headBegun) {
      refuse(HttpResponseStatus.REQUEST_TIMEOUT, "the request's head did not arrive within "
          + limits.headerTimeoutMillis() + " ms");
    } else {
      channel.close();
    }
  }

  private void bodyTimedOut() {
    if (phase == Phase.BODY) {
      refuse(HttpResponseStatus.REQUEST_TIMEOUT, "the request's body did not arrive within "
          + limits.bodyTimeoutMillis() + " ms");
    }
  }

  /** Answers with an error and {@code connection: close}, then discards input and closes. */
  private void refuse(HttpResponseStatus status, String message) {
    enter(Phase.DISCARDING, 0, null);
    held.forEach(ReferenceCountUtil::release);
    held.clear();
    channel.config().setAutoRead(true);
    byte[] body = Json.bytes(Json.error(message, null));
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    HttpUtil.setContentLength(response, body.length);
    messagesContext.writeAndFlush(response).addListener(f -> lingerThenClose(channel));
  }

  /**
   * Shuts the output down (the client reads the response, then the end of the stream) and closes
   * once the client closes its side, or after {@value #LINGER_MILLIS} ms.
   */
  private static void lingerThenClose(Channel channel) {
    if (!channel.isActive()) {
      return;
    }
    ChannelFuture shutdown = channel instanceof SocketChannel
        ? ((SocketChannel) channel).shutdownOutput() : channel.close();
    shutdown.addListener(f -> channel.eventLoop().schedule(
        () -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS));
  }

  private void enter(Phase next, long timeoutMillis, Runnable onTimeout) {
    cancelTimer();
    phase = next;
    if (next == Phase.HEAD) {
      headBegun = false;
    }
    if (onTimeout != null) {
      timer = channel.eventLoop().schedule(onTimeout, timeoutMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
