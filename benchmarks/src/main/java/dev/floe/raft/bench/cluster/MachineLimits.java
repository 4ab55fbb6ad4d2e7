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
package dev.floe.raft.bench.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.HdrHistogram.Histogram;

/**
 * What the machine gives at all, measured with no Floe code: the floor under a durable commit's
 * latency (one {@code force} plus one loopback round trip) and the rate of unbatched forces.
 *
 * <p>Both loops are bounded in count and in time. Not thread-safe; call from one thread.
 */
final class MachineLimits {
  static final int VALUE_BYTES = 100;

  private MachineLimits() {}

  /** Rate and latency of one loop's operations. */
  record Measurement(long count, long nanos, Histogram latencyNanos) {
    double perSecond() {
      return nanos == 0 ? 0 : count * 1e9 / nanos;
    }

    double p50Micros() {
      return latencyNanos.getValueAtPercentile(50) / 1e3;
    }

    double p99Micros() {
      return latencyNanos.getValueAtPercentile(99) / 1e3;
    }

    /** Both measurements as one (counts, time and latencies added). */
    Measurement plus(Measurement other) {
      Histogram sum = latencyNanos.copy();
      sum.add(other.latencyNanos);
      return new Measurement(count + other.count, nanos + other.nanos, sum);
    }
  }

  /**
   * Appends 100 bytes to a new file in {@code dir} then forces it, in a loop: one record per
   * force, what a log without group commit can do on this disk. The file is deleted afterwards.
   */
  static Measurement rawAppendForce(Path dir, long seconds, long maxCount) throws IOException {
    Path file = Files.createTempFile(dir, "raw-force-", ".dat");
    Histogram latency = new Histogram(3);
    ByteBuffer record = ByteBuffer.allocateDirect(VALUE_BYTES);
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long count = 0;
    long start = System.nanoTime();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      while (count < maxCount && System.nanoTime() < deadline) {
        long t0 = System.nanoTime();
        record.clear();
        channel.write(record);
        channel.force(false);
        latency.recordValue(System.nanoTime() - t0);
        count++;
      }
    } finally {
      Files.deleteIfExists(file);
    }
    return new Measurement(count, System.nanoTime() - start, latency);
  }

  /**
   * Like {@link #rawAppendForce} but overwrites a file preallocated (and forced) beforehand, so a
   * force never has to change the file's size: the floor for a log that preallocates its segments.
   */
  static Measurement rawOverwriteForce(Path dir, long seconds, long maxCount) throws IOException {
    Path file = Files.createTempFile(dir, "raw-overwrite-", ".dat");
    long fileBytes = Math.min(maxCount, 1_000_000) * VALUE_BYTES;
    Histogram latency = new Histogram(3);
    ByteBuffer record = ByteBuffer.allocateDirect(VALUE_BYTES);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      preallocate(channel, fileBytes);
      long deadline = System.nanoTime() + seconds * 1_000_000_000L;
      long count = 0;
      long start = System.nanoTime();
      while (count < maxCount && (count + 1) * VALUE_BYTES <= fileBytes
          && System.nanoTime() < deadline) {
        long t0 = System.nanoTime();
        record.clear();
        channel.write(record, count * VALUE_BYTES);
        channel.force(false);
        latency.recordValue(System.nanoTime() - t0);
        count++;
      }
      return new Measurement(count, System.nanoTime() - start, latency);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * Writes {@code bytes} zero bytes from the start of {@code channel} and forces them with the
   * file's size, so that later forces of overwrites there commit no size change.
   */
  static void preallocate(FileChannel channel, long bytes) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
    for (long written = 0; written < bytes; ) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - written));
      written += channel.write(zeros, written);
    }
    channel.force(true);
  }

  /**
   * Writes 100 bytes to a plain loopback socket (TCP_NODELAY) and reads them back from an echoing
   * thread, in a loop: the cheapest message-and-answer the machine's TCP stack allows.
   */
  static Measurement loopbackRoundTrip(long seconds, long maxCount) throws IOException {
    Histogram latency = new Histogram(3);
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Thread echo = new Thread(() -> echo(server), "loopback-echo");
      echo.setDaemon(true);
      echo.start();
      try (Socket socket = new Socket()) {
        socket.setTcpNoDelay(true);
        socket.connect(server.getLocalSocketAddress(), 5_000);
        socket.setSoTimeout(5_000);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[VALUE_BYTES];
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long count = 0;
        long start = System.nanoTime();
        while (count < maxCount && System.nanoTime() < deadline) {
          long t0 = System.nanoTime();
          out.write(buffer);
          readFully(in, buffer);
          latency.recordValue(System.nanoTime() - t0);
          count++;
        }
        return new Measurement(count, System.nanoTime() - start, latency);
      }
    }
  }

  private static void echo(ServerSocket server) {
    try (Socket s = server.accept()) {
      s.setTcpNoDelay(true);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] buffer = new byte[VALUE_BYTES];
      while (readFully(in, buffer)) {
        out.write(buffer);
      }
    } catch (IOException e) {
      // the client closed the connection: the measurement is over
    }
  }

  /** Reads exactly {@code buffer.length} bytes; false at end of stream. */
  private static boolean readFully(InputStream in, byte[] buffer) throws IOException {
    int read = 0;
    while (read < buffer.length) {
      int n = in.read(buffer, read, buffer.length - read);
      if (n < 0) {
        return false;
      }
      read += n;
    }
    return true;
  }
}
