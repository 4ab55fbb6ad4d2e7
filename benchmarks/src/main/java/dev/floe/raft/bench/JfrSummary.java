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
package dev.floe.raft.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Sums up a JFR recording of a benchmark: where the CPU samples fall (by the method on top of the
 * stack, by every method on the stack, by thread) and where allocation happens (sampled bytes by
 * allocating method, by the first Floe method on the stack, by class), plus the time in GC.
 *
 * <p>Usage: {@code JfrSummary <recording.jfr> [top]} (default top 25).
 */
public final class JfrSummary {
  private static final String FLOE = "dev.floe.";

  private JfrSummary() {}

  /** Reads the recording and prints the tables. */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: JfrSummary <recording.jfr> [top]");
      System.exit(2);
    }
    int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> inclusive = new HashMap<>();
    Map<String, Long> selfFloe = new HashMap<>();
    Map<String, Long> threads = new HashMap<>();
    Map<String, Long> allocSite = new HashMap<>();
    Map<String, Long> allocFloe = new HashMap<>();
    Map<String, Long> allocClass = new HashMap<>();
    long samples = 0;
    long allocBytes = 0;
    long gcNanos = 0;
    long gcCount = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
      String type = e.getEventType().getName();
      if (type.equals("jdk.ExecutionSample")) {
        samples++;
        List<RecordedFrame> frames = frames(e.getStackTrace());
        if (frames.isEmpty()) {
          continue;
        }
        add(self, method(frames.get(0)), 1);
        add(selfFloe, firstFloe(frames), 1);
        Set<String> seen = new HashSet<>();
        for (RecordedFrame f : frames) {
          if (seen.add(method(f))) {
            add(inclusive, method(f), 1);
          }
        }
        RecordedThread t = e.getThread("sampledThread");
        add(threads, t == null ? "?" : threadGroupName(t.getJavaName()), 1);
      } else if (type.equals("jdk.ObjectAllocationSample")) {
        long weight = e.getLong("weight");
        allocBytes += weight;
        List<RecordedFrame> frames = frames(e.getStackTrace());
        add(allocSite, frames.isEmpty() ? "?" : method(frames.get(0)) + ":" + frames.get(0).getLineNumber(), weight);
        add(allocFloe, firstFloeWithLine(frames), weight);
        add(allocClass, e.getClass("objectClass").getName(), weight);
      } else if (type.equals("jdk.GarbageCollection")) {
        gcCount++;
        gcNanos += e.getDuration().toNanos();
      }
    }
    System.out.printf("%,d CPU samples, %,d MB allocation (sampled weight), %d GCs taking %,d ms%n",
        samples, allocBytes >> 20, gcCount, gcNanos / 1_000_000);
    print("CPU by thread", threads, samples, top, "samples");
    print("CPU, top of stack (self)", self, samples, top, "samples");
    print("CPU, top of stack attributed to the first Floe method below it", selfFloe, samples, top, "samples");
    print("CPU, anywhere on the stack (inclusive)", inclusive, samples, top, "samples");
    print("allocation by allocating method:line", allocSite, allocBytes, top, "bytes");
    print("allocation by first Floe frame (method:line)", allocFloe, allocBytes, top, "bytes");
    print("allocation by class", allocClass, allocBytes, top, "bytes");
  }

  private static List<RecordedFrame> frames(RecordedStackTrace stack) {
    return stack == null ? List.of() : stack.getFrames();
  }

  private static String method(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static String firstFloe(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      if (method(f).startsWith(FLOE)) {
        return method(f);
      }
    }
    return "(no Floe frame)";
  }

  private static String firstFloeWithLine(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      if (method(f).startsWith(FLOE)) {
        return method(f) + ":" + f.getLineNumber();
      }
    }
    return "(no Floe frame)";
  }

  /** Folds numbered pool threads together ("floe-netty-n1-3-1" becomes "floe-netty-n1-*"). */
  private static String threadGroupName(String name) {
    return name == null ? "?" : name.replaceAll("-\\d+-\\d+$", "-*").replaceAll("-\\d+$", "-*");
  }

  private static void add(Map<String, Long> map, String key, long amount) {
    map.merge(key, amount, Long::sum);
  }

  private static void print(String title, Map<String, Long> counts, long total, int top, String unit) {
    System.out.printf("%n%s (%s):%n", title, unit);
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .forEach(e -> System.out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getKey()));
  }
}
