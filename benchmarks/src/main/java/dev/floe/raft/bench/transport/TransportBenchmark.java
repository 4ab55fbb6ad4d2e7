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
package dev.floe.raft.bench.transport;

import dev.floe.raft.cluster.NodeId;
import dev.floe.raft.message.AppendRequest;
import dev.floe.raft.message.LogEntry;
import dev.floe.raft.message.RaftMessage;
import dev.floe.raft.message.VoteRequest;
import dev.floe.raft.message.VoteResponse;
import dev.floe.raft.transport.netty.NettyTransport;
import dev.floe.raft.transport.netty.NettyTransportOptions;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Measures {@code NettyTransport} on loopback beside plain {@link java.net.Socket}s in the same
 * run, so the figures can be read against what the machine's TCP stack gives at all.
 *
 * <ol>
 *   <li>Netty throughput: AppendRequests of 64 entries of 100 bytes from one transport to another,
 *       with at most {@code window} messages in flight (the transport drops beyond its high water
 *       mark, so an unbounded sender would measure drops).
 *   <li>Netty round trip: a VoteRequest answered by a VoteResponse on the other connection.
 *   <li>Plain socket round trip: 100 bytes written, echoed, read back.
 *   <li>Plain socket throughput: the same bytes as the Netty run, in chunks of one frame's size.
 * </ol>
 *
 * <p>Arguments (all optional, as {@code key=value}): {@code messages} (default 200000),
 * {@code roundTrips} (default 20000), {@code window} (default 256), {@code seconds}: the time
 * limit of each phase (default 20). Not a test: it asserts nothing.
 */
public final class TransportBenchmark {
  private static final int ENTRIES = 64;
  private static final int ENTRY_BYTES = 100;
  private static final int PING_BYTES = 100;
  private static final NodeId SENDER = NodeId.of("sender");
  private static final NodeId RECEIVER = NodeId.of("receiver");

  private final long messages;
  private final int roundTrips;
  private final int window;
  private final long phaseNanos;

  private TransportBenchmark(Map<String, String> args) {
    this.messages = Long.parseLong(args.getOrDefault("messages", "200000"));
    this.roundTrips = Integer.parseInt(args.getOrDefault("roundTrips", "20000"));
    this.window = Integer.parseInt(args.getOrDefault("window", "256"));
    this.phaseNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args.getOrDefault("seconds", "20")));
  }

  /**
   * Runs the benchmark and prints the figures.
   *
   * @param args optional {@code key=value} settings; see the class comment
   * @throws Exception if a socket cannot be opened
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> settings = new java.util.HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("expected key=value, got '" + arg + "'");
      }
      settings.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    new TransportBenchmark(settings).run();
  }

  private void run() throws Exception {
    System.out.printf(Locale.ROOT, "java %s, %d cpus, %s%n", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"));
    AppendRequest append = appendRequest();
    int frameBytes = frameBytes(append);
    System.out.printf(Locale.ROOT, "AppendRequest: %d entries x %d B = %d B frame%n", ENTRIES,
        ENTRY_BYTES, frameBytes);

    try (Pair pair = Pair.start()) {
      nettyThroughput(pair, append, Math.min(messages / 10, 20_000), false); // warm-up
      Result netty = nettyThroughput(pair, append, messages, true);
      print("netty append throughput", netty, frameBytes);
      nettyRoundTrips(pair, roundTrips / 5, false); // warm-up
      nettyRoundTrips(pair, roundTrips, true);
    }

    plainRoundTrips(roundTrips / 5, false); // warm-up
    plainRoundTrips(roundTrips, true);
    plainThroughput(frameBytes, Math.min(messages / 10, 20_000)); // warm-up
    Result plain = plainThroughput(frameBytes, messages);
    print("plain socket throughput (same frames)", plain, frameBytes);
  }

  // ------------------------------------------------------------------------------------ netty

  /** Two transports on loopback, each knowing the other. */
  private static final class Pair implements AutoCloseable {
    final NettyTransport sender;
    final NettyTransport receiver;
    final AtomicLong appendsReceived = new AtomicLong();
    final AtomicReference<CompletableFuture<Void>> pong = new AtomicReference<>();

    private Pair() {
      sender = new NettyTransport(options());
      receiver = new NettyTransport(options());
    }

    static Pair start() throws IOException {
      Pair p = new Pair();
      p.receiver.start(dev.floe.raft.cluster.ClusterId.of("bench"), RECEIVER, m -> {
        if (m instanceof AppendRequest) {
          p.appendsReceived.incrementAndGet();
        } else if (m instanceof VoteRequest v) {
          p.receiver.send(new VoteResponse(RECEIVER, SENDER, v.term(), true, false));
        }
      });
      p.sender.start(dev.floe.raft.cluster.ClusterId.of("bench"), SENDER, m -> {
        CompletableFuture<Void> f = p.pong.get();
        if (f != null) {
          f.complete(null);
        }
      });
      Map<NodeId, InetSocketAddress> peers = Map.of(SENDER, p.sender.localAddress(),
          RECEIVER, p.receiver.localAddress());
      p.sender.updatePeers(peers);
      p.receiver.updatePeers(peers);
      return p;
    }

    private static NettyTransportOptions options() {
      return NettyTransportOptions.builder()
          .bindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
          .build();
    }

    @Override
    public void close() {
      sender.close();
      receiver.close();
    }
  }

  private record Result(long messages, long nanos, long dropped) {}

  private Result nettyThroughput(Pair p, AppendRequest append, long count, boolean report) {
    long startReceived = p.appendsReceived.get();
    long startDropped = p.sender.droppedMessageCount();
    long deadline = System.nanoTime() + phaseNanos;
    long start = System.nanoTime();
    long sent = 0;
    while (sent < count && System.nanoTime() - deadline < 0) {
      if (sent - (p.appendsReceived.get() - startReceived) < window) {
        p.sender.send(append);
        sent++;
      } else {
        Thread.onSpinWait();
      }
    }
    long dropped = p.sender.droppedMessageCount() - startDropped;
    while (p.appendsReceived.get() - startReceived < sent - dropped
        && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait();
    }
    long nanos = System.nanoTime() - start;
    long received = p.appendsReceived.get() - startReceived;
    if (report && received < sent - dropped) {
      System.out.printf(Locale.ROOT, "  (time limit hit: %d of %d received)%n", received, sent);
    }
    return new Result(received, nanos, dropped);
  }

  private void nettyRoundTrips(Pair p, int count, boolean report) throws Exception {
    Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    long deadline = System.nanoTime() + phaseNanos;
    // The first messages open the connections; a dropped ping times out and is retried.
    for (int i = 0; i < count && System.nanoTime() - deadline < 0; i++) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      p.pong.set(f);
      long t0 = System.nanoTime();
      p.sender.send(new VoteRequest(SENDER, RECEIVER, i + 1, 0, 0, false, false));
      try {
        f.get(1, TimeUnit.SECONDS);
        h.recordValue(System.nanoTime() - t0);
      } catch (java.util.concurrent.TimeoutException e) {
        i--;
      }
    }
    if (report) {
      printLatency("netty round trip (VoteRequest -> VoteResponse)", h);
    }
  }

  // ------------------------------------------------------------------------------------ plain

  private void plainRoundTrips(int count, boolean report) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread echo = new Thread(() -> {
        try (Socket s = server.accept()) {
          s.setTcpNoDelay(true);
          DataInputStream in = new DataInputStream(s.getInputStream());
          OutputStream out = s.getOutputStream();
          byte[] buf = new byte[PING_BYTES];
          for (int i = 0; i < count; i++) {
            in.readFully(buf);
            out.write(buf);
          }
        } catch (IOException e) {
          // the client gave up; nothing to report
        }
      }, "plain-echo");
      echo.setDaemon(true);
      echo.start();
      Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
      try (Socket s = new Socket()) {
        s.connect(server.getLocalSocketAddress(), 2_000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(5_000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[PING_BYTES];
        long deadline = System.nanoTime() + phaseNanos;
        for (int i = 0; i < count && System.nanoTime() - deadline < 0; i++) {
          long t0 = System.nanoTime();
          out.write(buf);
          in.readFully(buf);
          h.recordValue(System.nanoTime() - t0);
        }
      }
      echo.join(5_000);
      if (report) {
        printLatency("plain socket round trip (100 B echo)", h);
      }
    }
  }

  private Result plainThroughput(int frameBytes, long count) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      AtomicLong bytesRead = new AtomicLong();
      Thread sink = new Thread(() -> {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
          byte[] buf = new byte[64 * 1024];
          for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            bytesRead.addAndGet(n);
          }
        } catch (IOException e) {
          // closed
        }
      }, "plain-sink");
      sink.setDaemon(true);
      sink.start();
      byte[] frame = new byte[frameBytes];
      long start = System.nanoTime();
      long deadline = start + phaseNanos;
      long sent = 0;
      try (Socket s = new Socket()) {
        s.connect(server.getLocalSocketAddress(), 2_000);
        s.setTcpNoDelay(true);
        OutputStream out = s.getOutputStream();
        while (sent < count && System.nanoTime() - deadline < 0) {
          out.write(frame);
          sent++;
        }
      }
      sink.join(TimeUnit.NANOSECONDS.toMillis(phaseNanos));
      long nanos = System.nanoTime() - start;
      return new Result(bytesRead.get() / frameBytes, nanos, 0);
    }
  }

  // ---------------------------------------------------------------------------------- helpers

  private static AppendRequest appendRequest() {
    List<LogEntry> entries = new ArrayList<>(ENTRIES);
    for (int i = 0; i < ENTRIES; i++) {
      byte[] data = new byte[ENTRY_BYTES];
      java.util.Arrays.fill(data, (byte) i);
      entries.add(LogEntry.command(1_000 + i, 7, data));
    }
    return new AppendRequest(SENDER, RECEIVER, 7, 999, 7, entries, 990, 1);
  }

  /** The frame size on the wire, from the documented layout (length prefix included). */
  private static int frameBytes(AppendRequest m) {
    int ids = 1 + m.from().value().length() + 1 + m.to().value().length();
    int header = 4 + 1 + ids + 8;
    int fields = 8 + 8 + 4 + 8 + 8;
    int entries = 0;
    for (LogEntry e : m.entries()) {
      entries += 8 + 8 + 1 + 4 + e.data().length;
    }
    return header + fields + entries;
  }

  private static void print(String name, Result r, int frameBytes) {
    double seconds = r.nanos() / 1e9;
    double perSecond = r.messages() / seconds;
    System.out.printf(Locale.ROOT,
        "%-40s %,10.0f msg/s  %8.1f MB/s  (%d messages in %.2f s, %d dropped)%n", name,
        perSecond, perSecond * frameBytes / 1e6, r.messages(), seconds, r.dropped());
  }

  private static void printLatency(String name, Histogram h) {
    System.out.printf(Locale.ROOT,
        "%-40s p50 %6.1f us  p99 %6.1f us  p99.9 %7.1f us  (%d round trips)%n", name,
        h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
        h.getValueAtPercentile(99.9) / 1e3, h.getTotalCount());
  }
}
