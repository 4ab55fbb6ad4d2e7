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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

class PeersChartTest {
  private static final String RESULTS = String.join("\n",
      "# date_utc=20261201T174124Z cpus=2",
      "system=limit-fsync mode=prealloc batch=64 ops_per_s=9700.8 p50_us=6533.1 p99_us=15990.8",
      "system=limit-tcp mode=pingpong c=1 ops_per_s=20618.4 p50_us=33.6 p99_us=79.4",
      "settings system=floe nodes=3 payload_b=100",
      "stats system=floe leader=n0 applied=n0:5272",
      "system=floe c=64 ops_per_s=9307.1 p50_us=3361 p99_us=37782 p999_us=186122 errors=0",
      "system=floe c=1 ops_per_s=496.6 p50_us=1096 p99_us=12837 p999_us=24396 errors=0",
      "system=floe c=256 ops_per_s=15364.6 p50_us=7152 p99_us=130089 p999_us=352322 errors=0",
      "system=microraft c=1 ops_per_s=670.6 p50_us=692 p99_us=12640 p999_us=27984 errors=0",
      "system=microraft c=64 ops_per_s=22948.9 p50_us=1464 p99_us=20496 p999_us=97124 errors=0",
      "system=ratis c=1 status=FAILED error=timeout",
      "");

  @TempDir Path dir;

  @Test
  void chartIsWellFormedSvgWithOnePolylinePerSystemAndLabelledPoints() throws Exception {
    Path run = Files.createDirectories(dir.resolve("20261201T174124Z"));
    Path results = Files.writeString(run.resolve("results.txt"), RESULTS);
    Path svg = dir.resolve("chart.svg");

    int exit = new CommandLine(new PeersChart())
        .execute("--out", svg.toString(), results.toString());

    assertThat(exit).isZero();
    Document doc = parse(Files.readAllBytes(svg));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    NodeList polylines = doc.getElementsByTagName("polyline");
    assertThat(polylines.getLength()).isEqualTo(2);
    assertThat(((Element) polylines.item(0)).getAttribute("points").split(" ")).hasSize(3);
    assertThat(((Element) polylines.item(1)).getAttribute("points").split(" ")).hasSize(2);
    assertThat(texts(doc, "legend")).containsExactly("floe", "microraft");
    assertThat(texts(doc, "point")).containsExactly("C=1", "C=64", "C=256", "C=1", "C=64");
    assertThat(texts(doc, "title")).singleElement().asString().contains("20261201T174124Z");
    assertThat(texts(doc, "axis-label")).hasSize(2);
    assertThat(texts(doc, "tick")).contains("0", "10 ms", "100 ms");
  }

  @Test
  void pointsOfOneSystemAreJoinedInOrderOfConcurrency() throws Exception {
    List<HarnessResults.Point> points = HarnessResults.parse("r", RESULTS.lines().toList());
    Document doc = parse(PeersChart.svg("t", java.util.Map.of("floe", points.subList(0, 3)))
        .getBytes(StandardCharsets.UTF_8));

    String[] coords = ((Element) doc.getElementsByTagName("polyline").item(0))
        .getAttribute("points").split(" ");
    List<Double> xs = new ArrayList<>();
    for (String c : coords) {
      xs.add(Double.parseDouble(c.split(",")[0]));
    }
    assertThat(xs).isSorted(); // C=1, 64, 256 have rising throughput in the sample
  }

  @Test
  void severalRunsNameEachSystemAfterItsRun() throws Exception {
    Path a = Files.writeString(Files.createDirectories(dir.resolve("runA")).resolve("results.txt"),
        RESULTS);
    Path b = Files.writeString(Files.createDirectories(dir.resolve("runB")).resolve("results.txt"),
        RESULTS);
    Path svg = dir.resolve("two.svg");

    new CommandLine(new PeersChart()).execute("--out", svg.toString(), "--title", "Two runs",
        a.toString(), b.toString());

    Document doc = parse(Files.readAllBytes(svg));
    assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(4);
    assertThat(texts(doc, "legend")).containsExactly(
        "floe (runA)", "microraft (runA)", "floe (runB)", "microraft (runB)");
    assertThat(texts(doc, "title")).containsExactly("Two runs");
  }

  @Test
  void aValueThatIsNotANumberIsReportedWithItsLine() {
    assertThatThrownBy(() -> HarnessResults.parse("results.txt",
        List.of("system=floe c=1 ops_per_s=fast p99_us=10")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("results.txt line 1: ops_per_s=fast is not a non-negative number");
  }

  @Test
  void noResultLinesIsAnError() {
    assertThatThrownBy(() -> PeersChart.svg("t", java.util.Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no result lines");
  }

  @Test
  void textIsEscaped() throws Exception {
    Document doc = parse(PeersChart.svg("a <b> & \"c\"",
        java.util.Map.of("x&y", List.of(new HarnessResults.Point("x&y", 1, 10, 100))))
        .getBytes(StandardCharsets.UTF_8));

    assertThat(texts(doc, "title")).containsExactly("a <b> & \"c\"");
    assertThat(texts(doc, "legend")).containsExactly("x&y");
  }

  private static Document parse(byte[] svg) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg));
  }

  private static List<String> texts(Document doc, String cssClass) {
    List<String> found = new ArrayList<>();
    NodeList texts = doc.getElementsByTagName("text");
    for (int i = 0; i < texts.getLength(); i++) {
      Element t = (Element) texts.item(i);
      if (t.getAttribute("class").equals(cssClass)) {
        found.add(t.getTextContent());
      }
    }
    return found;
  }
}
