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
package dev.floe.raft.bench.chart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Draws one or more peers-harness runs as an SVG: committed throughput (x, ops/s, linear) against
 * p99 latency (y, µs, log scale), one polyline per system through its points in order of C, each
 * point labelled with its C, plus axis ticks, a legend and a title. With several files, each
 * system's line is named after its run (the directory that holds the {@code results.txt}).
 *
 * <p>Usage: {@code PeersChart --out docs/peers.svg [--title TEXT] results.txt...}
 */
@Command(name = "peers-chart", mixinStandardHelpOptions = true,
    description = "Throughput against p99 latency of peers-harness results.txt files, as SVG.")
public final class PeersChart implements Callable<Integer> {
  static final int WIDTH = 860;
  static final int HEIGHT = 540;
  private static final int LEFT = 80;
  private static final int RIGHT = 220;
  private static final int TOP = 50;
  private static final int BOTTOM = 60;
  private static final String[] COLOURS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"
  };

  @Option(names = "--out", required = true, description = "the SVG file to write")
  Path out;

  @Option(names = "--title", description = "the chart's title (default: names the runs)")
  String title;

  @Parameters(arity = "1..*", paramLabel = "RESULTS", description = "harness results.txt files")
  List<Path> inputs;

  /** Writes the chart; see the class comment. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new PeersChart()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    Map<String, List<HarnessResults.Point>> series = new LinkedHashMap<>();
    List<String> runs = new ArrayList<>();
    for (Path input : inputs) {
      String run = runName(input);
      runs.add(run);
      List<HarnessResults.Point> points =
          HarnessResults.parse(input.toString(), Files.readAllLines(input, StandardCharsets.UTF_8));
      for (HarnessResults.Point p : points) {
        String name = inputs.size() == 1 ? p.system() : p.system() + " (" + run + ")";
        series.computeIfAbsent(name, k -> new ArrayList<>()).add(p);
      }
    }
    String heading = title != null ? title : "Peers harness, run " + String.join(", ", runs)
        + ": throughput against p99 latency";
    Files.writeString(out, svg(heading, series), StandardCharsets.UTF_8);
    System.out.println("wrote " + out + ": " + series.size() + " systems");
    return 0;
  }

  /** The run a results file belongs to: the name of its directory, else the file's own name. */
  static String runName(Path input) {
    Path parent = input.toAbsolutePath().getParent();
    return parent == null || parent.getFileName() == null
        ? input.getFileName().toString() : parent.getFileName().toString();
  }

  /**
   * The SVG document for {@code series} (name to points, in legend order).
   *
   * @throws IllegalArgumentException if there is no point to draw
   */
  static String svg(String heading, Map<String, List<HarnessResults.Point>> series) {
    List<HarnessResults.Point> all = series.values().stream().flatMap(List::stream).toList();
    if (all.isEmpty()) {
      throw new IllegalArgumentException("no result lines (system=... c=... ops_per_s=... p99_us=...)"
          + " to chart");
    }
    double xMax = niceCeiling(all.stream().mapToDouble(HarnessResults.Point::opsPerSecond).max()
        .orElseThrow());
    double minP99 = all.stream().mapToDouble(HarnessResults.Point::p99Micros).min().orElseThrow();
    double maxP99 = all.stream().mapToDouble(HarnessResults.Point::p99Micros).max().orElseThrow();
    int yLowExp = (int) Math.floor(Math.log10(Math.max(1, minP99)));
    int yHighExp = Math.max(yLowExp + 1, (int) Math.ceil(Math.log10(Math.max(1, maxP99))));
    Axes axes = new Axes(xMax, yLowExp, yHighExp);

    StringBuilder svg = new StringBuilder();
    svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
            + " height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            WIDTH, HEIGHT, WIDTH, HEIGHT))
        .append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n",
            WIDTH, HEIGHT))
        .append(String.format(Locale.ROOT, "<text class=\"title\" x=\"%d\" y=\"28\""
            + " font-size=\"15\" font-weight=\"bold\">%s</text>%n", LEFT, escape(heading)));
    axes.draw(svg);
    int i = 0;
    for (Map.Entry<String, List<HarnessResults.Point>> e : series.entrySet()) {
      drawSeries(svg, axes, e.getKey(), e.getValue(), COLOURS[i % COLOURS.length], i);
      i++;
    }
    return svg.append("</svg>\n").toString();
  }

  private static void drawSeries(StringBuilder svg, Axes axes, String name,
      List<HarnessResults.Point> points, String colour, int index) {
    List<HarnessResults.Point> sorted = points.stream()
        .sorted(Comparator.comparingInt(HarnessResults.Point::concurrency)).toList();
    StringBuilder coords = new StringBuilder();
    for (HarnessResults.Point p : sorted) {
      coords.append(String.format(Locale.ROOT, "%.1f,%.1f ", axes.x(p.opsPerSecond()),
          axes.y(p.p99Micros())));
    }
    svg.append(String.format(Locale.ROOT, "<g class=\"series\" data-system=\"%s\">%n", escape(name)))
        .append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\""
            + " points=\"%s\"/>%n", colour, coords.toString().trim()));
    for (HarnessResults.Point p : sorted) {
      double x = axes.x(p.opsPerSecond());
      double y = axes.y(p.p99Micros());
      svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>%n",
          x, y, colour))
          .append(String.format(Locale.ROOT, "<text class=\"point\" x=\"%.1f\" y=\"%.1f\""
              + " fill=\"%s\">C=%d</text>%n", x + 6, y - 6, colour, p.concurrency()));
    }
    double legendX = WIDTH - RIGHT + 20;
    double legendY = TOP + 10 + 22 * index;
    svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
            + " stroke=\"%s\" stroke-width=\"2\"/>%n", legendX, legendY, legendX + 24, legendY, colour))
        .append(String.format(Locale.ROOT, "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">%s</text>%n",
            legendX + 30, legendY + 4, escape(name)))
        .append("</g>\n");
  }

  /** The smallest 1, 2 or 5 times a power of ten that is at least {@code value}. */
  static double niceCeiling(double value) {
    if (value <= 0) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 2, 5, 10}) {
      if (step * power >= value) {
        return step * power;
      }
    }
    return 10 * power;
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /** The plot area's scales: x linear from 0 to {@code xMax}, y from 10^low to 10^high µs. */
  private record Axes(double xMax, int yLowExp, int yHighExp) {
    double x(double opsPerSecond) {
      return LEFT + (WIDTH - LEFT - RIGHT) * opsPerSecond / xMax;
    }

    double y(double micros) {
      double fraction = (Math.log10(Math.max(micros, 1)) - yLowExp) / (yHighExp - yLowExp);
      return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * fraction;
    }

    void draw(StringBuilder svg) {
      double x0 = LEFT;
      double x1 = WIDTH - RIGHT;
      double y0 = HEIGHT - BOTTOM;
      double y1 = TOP;
      svg.append(String.format(Locale.ROOT, "<g class=\"axes\" stroke=\"#333\">%n"
          + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>%n"
          + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>%n</g>%n",
          x0, y0, x1, y0, x0, y0, x0, y1));
      for (int k = 0; k <= 5; k++) {
        double value = xMax * k / 5;
        double x = x(value);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
                + " stroke=\"#ddd\"/>%n", x, y0, x, y1))
            .append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\""
                + " text-anchor=\"middle\">%s</text>%n", x, y0 + 18, opsLabel(value)));
      }
      for (int e = yLowExp; e <= yHighExp; e++) {
        for (int m : new int[] {1, 2, 5}) {
          double micros = m * Math.pow(10, e);
          if (e == yHighExp && m > 1) {
            break;
          }
          double y = y(micros);
          svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
                  + " y2=\"%.1f\" stroke=\"%s\"/>%n", x0, y, x1, y, m == 1 ? "#ccc" : "#eee"))
              .append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\""
                  + " text-anchor=\"end\">%s</text>%n", x0 - 6, y + 4, microsLabel(micros)));
        }
      }
      svg.append(String.format(Locale.ROOT, "<text class=\"axis-label\" x=\"%.1f\" y=\"%.1f\""
              + " text-anchor=\"middle\">throughput (committed ops/s)</text>%n",
              (x0 + x1) / 2, (double) HEIGHT - 18))
          .append(String.format(Locale.ROOT, "<text class=\"axis-label\" x=\"18\" y=\"%.1f\""
              + " text-anchor=\"middle\" transform=\"rotate(-90 18 %.1f)\">p99 latency (µs, log"
              + " scale)</text>%n", (y0 + y1) / 2, (y0 + y1) / 2));
    }

    private static String opsLabel(double value) {
      return value >= 1000 ? trim(String.format(Locale.ROOT, "%.1f", value / 1000)) + "k"
          : trim(String.format(Locale.ROOT, "%.1f", value));
    }

    /** Drops a trailing ".0". */
    private static String trim(String number) {
      return number.endsWith(".0") ? number.substring(0, number.length() - 2) : number;
    }

    private static String microsLabel(double micros) {
      if (micros >= 1_000_000) {
        return String.format(Locale.ROOT, "%.0f s", micros / 1_000_000);
      }
      return micros >= 1000 ? String.format(Locale.ROOT, "%.0f ms", micros / 1000)
          : String.format(Locale.ROOT, "%.0f µs", micros);
    }
  }
}
