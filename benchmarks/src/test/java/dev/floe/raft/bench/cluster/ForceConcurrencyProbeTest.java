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

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The probe forces real files in every case it reports, and leaves nothing behind. */
class ForceConcurrencyProbeTest {
  private static final Pattern LINE = Pattern.compile(
      "files=(own|one) threads=(\\d+) forces_per_s=(\\d+) per_thread=(\\d+) p50_us=([\\d.]+)"
          + " p99_us=([\\d.]+)");

  @TempDir Path dir;

  private int run(StringWriter out, StringWriter err, String... args) {
    return new CommandLine(new ForceConcurrencyProbe()).setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err)).execute(args);
  }

  @Test
  void reportsEveryCaseWithForcesMadeAndRemovesItsFiles() throws Exception {
    StringWriter out = new StringWriter();
    int exit = run(out, new StringWriter(), "--dir", dir.toString(), "--max-threads", "2",
        "--seconds", "0.2", "--region-mib", "1", "--batch-bytes", "512");

    assertThat(exit).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines.get(0)).startsWith("# fs=").contains("batch_b=512");
    List<String> cases = lines.stream().skip(1).toList();
    assertThat(cases).hasSize(4);
    String[] expected = {"own 1", "own 2", "one 1", "one 2"};
    for (int i = 0; i < cases.size(); i++) {
      Matcher m = LINE.matcher(cases.get(i));
      assertThat(m.matches()).as(cases.get(i)).isTrue();
      assertThat(m.group(1) + " " + m.group(2)).isEqualTo(expected[i]);
      assertThat(Long.parseLong(m.group(3))).as("forces per second").isPositive();
      assertThat(Double.parseDouble(m.group(5))).as("p50").isPositive();
    }
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void refusesABatchLargerThanAQuarterOfTheRegion() {
    StringWriter err = new StringWriter();
    int exit = run(new StringWriter(), err, "--dir", dir.toString(), "--region-mib", "1",
        "--batch-bytes", String.valueOf(512 * 1024));

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--batch-bytes");
  }
}
