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
package dev.floe.raft.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden scenarios of the core: each file of {@code src/test/resources/scenarios} scripts events
 * for a small cluster of {@link RaftCore}s and holds, after each command, exactly what the command
 * printed: every effect of every {@link Ready}, one per line. A reviewer reads the behaviour, not
 * test code. A file fails when any output differs; the failure names the file and line and shows
 * a diff. When behaviour changes on purpose, rewrite the outputs and review the diff:
 *
 * <pre>
 * mvn -B -ntp -o -pl raft-core -Dtest=ScenarioTest -Dfloe.scenarios.rewrite=true test
 * </pre>
 *
 * ({@code -Dfloe.scenarios.only=prevote} runs the files whose name contains {@code prevote}.)
 *
 * <h2>File format</h2>
 *
 * <pre>
 * # a comment: lines starting with # and blank lines are kept as they are
 * command arg key=value
 * optional input lines
 * ----
 * the output, up to the next blank line ("ok" if the command printed nothing)
 * </pre>
 *
 * <h2>Commands</h2>
 *
 * Nodes are named by their ids ({@code n1}). Any command takes {@code quiet}, which hides what it
 * prints (it still runs, and the checks below still apply). Arguments a command does not know are
 * an error.
 *
 * <ul>
 *   <li>{@code cluster n1 n2 n3 [prevote=false] [checkquorum=false] [election=10-20]
 *       [heartbeat=3] [seed=1] [max-entries=64] [max-bytes=1048576] [inflight=8]
 *       [inflight-bytes=16777216] [promote-within=0] [catch-up=50]}: the founding voters and the
 *       core's settings (election timeouts are drawn from {@code [min, max)} ticks; a tick is 10
 *       ms of the clock). Input lines {@code n1 [term=T] [vote=n2] [log=1,1,4]} give a founder
 *       the durable state it starts from: a term, a vote and a log of empty commands with the
 *       given terms from index 1. Must come first.
 *   <li>{@code join n4}: starts a node with an empty store and no membership (one waiting to be
 *       added); an existing node of that name is wiped first.
 *   <li>{@code tick n1 [count]}: one tick's length passes on the clock and {@code n1} ticks,
 *       {@code count} times. {@code tick-all [count]}: the same for every running node, in id
 *       order, the clock advancing once per round. {@code elapse ticks}: the clock advances and
 *       nobody ticks (a paused process). {@code run [count] [filters]}: {@code tick-all}, then
 *       {@code stabilize} (with the filters), {@code count} times. {@code campaign n1}: ticks a
 *       node until it starts a campaign (its election timer fired).
 *   <li>{@code propose n1 x [y ...]}: one proposal event with a command per argument. {@code
 *       propose-session n1 client=7 seq=1 x [y ...]}: session commands (sequence numbers count up).
 *       {@code transfer n1 [n2]}: a leadership transfer (to the most up-to-date follower if no
 *       target). {@code read-index n1}, {@code lease-read n1}: reads. {@code add-learner n1 n4},
 *       {@code add-voter n1 n4}, {@code promote n1 n4}, {@code remove n1 n3}: membership changes
 *       asked of {@code n1}. Each request gets the next request id, printed as {@code request 3 on
 *       n1: ...}; outcomes name it.
 *   <li>{@code snapshot n1 [trailing=0]}: {@code n1}'s state machine snapshots its applied state;
 *       the core may compact its log up to {@code trailing} entries behind it.
 *   <li>{@code msgs}, {@code deliver [count=N] [newest=true]}, {@code drop}, {@code dup}, {@code
 *       stabilize}, each with filters {@code from=n1,n2 to=n3 type=AppendRequest,VoteRequest}
 *       ({@code type=!TimeoutNow} for all others): list the messages in flight; deliver those in
 *       flight now, oldest (or newest) first, but not what they cause; drop them; send a copy of
 *       each, to arrive after everything in flight; deliver until no matching message is left,
 *       including those the deliveries cause.
 *   <li>{@code partition n1,n2 n3}: each argument a group that reaches only itself (unnamed
 *       nodes form one more); {@code isolate n1}: the same with one group; {@code cut n1 n2}: only
 *       the link between two nodes is cut, both ways; {@code heal}: every partition and cut ends.
 *       A message is lost if its receiver is down, missing or cut off when it is sent (its line
 *       ends in {@code (lost: why)}) or when it is delivered ({@code (dropped: why)}).
 *   <li>{@code crash n1}: the node stops, keeping its store; the messages on their way to it are
 *       lost, those it sent may still arrive. {@code restart n1}: it starts again from its store
 *       (a running node crashes first), as the driver's recovery does.
 *   <li>{@code status}, {@code log}, {@code terms}, {@code stored}, {@code applied}, each for the
 *       nodes named or all: role, term, vote, leader, commit and applied index, last entry and
 *       configuration (a leader also prints every member's match index); the core's log; only its
 *       terms; what the store holds; what the state machine applied.
 * </ul>
 *
 * <h2>What is printed</h2>
 *
 * A node's effects as {@code n1: <effect>}, in the order the driver carries them out: {@code role}
 * changes, {@code reset-log}, {@code truncate}, {@code append}, {@code save} (term and vote),
 * {@code compact}, {@code send}, {@code send-after-persist} (leaves once the writes are durable,
 * here at once; one to the node itself is stepped straight back in), {@code stream-snapshot},
 * {@code install-chunk}, {@code apply} and {@code outcome}. A delivered message is printed as
 * {@code from->to Type t=term ...}, with the effects it caused indented under it. Entries print as
 * {@code index@term payload} ({@code noop}, {@code "x"}, {@code conf{voters=... learners=...}},
 * {@code session{client/seq} "x"}).
 *
 * <h2>Checked after every command</h2>
 *
 * At most one leader per term; no two different entries applied at one index on any nodes; every
 * running node's store holds exactly its core's log. A violation fails the file at that line,
 * whatever the expected output says.
 */
class ScenarioTest {
  private static final Path DIRECTORY = Path.of("src", "test", "resources", "scenarios");
  private static final boolean REWRITE = Boolean.getBoolean("floe.scenarios.rewrite");
  private static final String ONLY = System.getProperty("floe.scenarios.only", "");
  /** The issue this suite answers asks for at least this many files. */
  private static final int AT_LEAST_FILES = 20;

  private static List<Path> files() throws IOException {
    try (Stream<Path> list = Files.list(DIRECTORY)) {
      return list.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().toList();
    }
  }

  @Test
  void theScenariosCoverWhatTheIssueAsksFor() throws IOException {
    assertThat(files()).as("scenario files in %s", DIRECTORY.toAbsolutePath())
        .hasSizeGreaterThanOrEqualTo(AT_LEAST_FILES);
  }

  @TestFactory
  Stream<DynamicTest> scenarios() throws IOException {
    return files().stream()
        .filter(f -> f.getFileName().toString().contains(ONLY))
        .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), f.toUri(), () -> run(f)));
  }

  private static void run(Path file) throws IOException {
    String name = DIRECTORY.relativize(file).toString();
    String text = Files.readString(file, StandardCharsets.UTF_8);
    ScenarioFile scenario = ScenarioFile.parse(name, text.lines().toList());
    ScenarioCommands commands = new ScenarioCommands();
    for (ScenarioFile.Case c : scenario.cases()) {
      try {
        c.actual = commands.run(new ScenarioCommand(c.command, c.input, c.line));
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError(name + ":" + c.line + ": " + c.command + ": " + e, e);
      }
    }
    if (REWRITE) {
      String rewritten = scenario.render(true);
      if (!rewritten.equals(text)) {
        Files.writeString(file, rewritten, StandardCharsets.UTF_8);
      }
      return;
    }
    List<String> failures = mismatches(name, scenario);
    if (!failures.isEmpty()) {
      throw new AssertionError(String.join("\n", failures) + "\n(if the change is intended, "
          + "rerun with -Dfloe.scenarios.rewrite=true and review the diff)");
    }
  }

  /** The first mismatching case in full, and where the others are. */
  private static List<String> mismatches(String name, ScenarioFile scenario) {
    List<String> out = new ArrayList<>();
    for (ScenarioFile.Case c : scenario.cases()) {
      if (c.actual.equals(c.expected)) {
        continue;
      }
      if (out.isEmpty()) {
        out.add(name + ":" + c.line + ": " + c.command + ": output differs (- expected, + actual)");
        ScenarioFile.diff(c.expected, c.actual).forEach(l -> out.add("    " + l));
      } else {
        out.add(name + ":" + c.line + ": " + c.command + ": differs too");
      }
    }
    return out;
  }
}
