package dev.floe.raft.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.floe.raft.SnapshotOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code node} command's snapshot and join options: defaults, values passed through, bad values
 * refused.
 */
class NodeCommandTest {
  @TempDir Path dir;

  @Test
  void defaultsAreTenThousandEntriesOrSixtyFourMebibytesKeepingAThousand() {
    SnapshotOptions options = parse().snapshotOptions();

    assertThat(options.thresholdEntries()).isEqualTo(10_000);
    assertThat(options.thresholdBytes()).isEqualTo(64L << 20);
    assertThat(options.trailingEntries()).isEqualTo(1_000);
    assertThat(options.chunkBytes()).isEqualTo(NodeServer.SNAPSHOT_CHUNK_BYTES);
  }

  @Test
  void theOptionsArePassedToTheSnapshotOptions() {
    SnapshotOptions options = parse("--snapshot-every", "20", "--snapshot-every-bytes", "4096",
        "--snapshot-trailing", "0").snapshotOptions();

    assertThat(options).isEqualTo(
        new SnapshotOptions(20, 0, NodeServer.SNAPSHOT_CHUNK_BYTES).withThresholdBytes(4096));
  }

  @Test
  void badValuesAreUsageErrorsNamingTheOptionAndStartNothing() {
    assertRefused(List.of("--snapshot-every", "0"), "--snapshot-every must be at least 1 entry, not 0");
    assertRefused(List.of("--snapshot-every-bytes", "-5"),
        "--snapshot-every-bytes must be at least 1 byte, not -5");
    assertRefused(List.of("--snapshot-trailing", "-1"),
        "--snapshot-trailing must be 0 or more entries, not -1");
    assertRefused(List.of("--snapshot-every", "ten"),
        "Invalid value for option '--snapshot-every': 'ten' is not a long");
    // Nothing was started: the data directory was never created.
    assertThat(dir.resolve("n1")).doesNotExist();
  }

  @Test
  void joinTakesTheMembersHttpAddressesWithOrWithoutTheScheme() {
    assertThat(parse().joinServers()).isEmpty();
    assertThat(parse("--join", "http://127.0.0.1:8001,127.0.0.1:8002/").joinServers())
        .containsExactly(URI.create("http://127.0.0.1:8001"), URI.create("http://127.0.0.1:8002"));
  }

  @Test
  void aJoinWithoutAnAddressIsAUsageErrorAndStartsNothing() {
    assertRefused(List.of("--join", ","), "--join needs the HTTP address of at least one running member");
    assertRefused(List.of("--join", "http://"), "--join:");
    assertRefused(List.of("--learner"), "--learner goes with --join");
    assertThat(dir.resolve("n1")).doesNotExist();
  }

  private NodeCommand parse(String... snapshotArgs) {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs(args(List.of(snapshotArgs)));
    return command;
  }

  private void assertRefused(List<String> snapshotArgs, String message) {
    StringWriter err = new StringWriter();
    CommandLine line = new CommandLine(new NodeCommand()).setErr(new PrintWriter(err, true));

    int status = line.execute(args(snapshotArgs));

    assertThat(status).as(err.toString()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains(message);
  }

  private String[] args(List<String> snapshotArgs) {
    List<String> args = new ArrayList<>(List.of("--id", "n1", "--cluster", "n1=127.0.0.1:1",
        "--http", "127.0.0.1:0", "--data-dir", dir.resolve("n1").toString()));
    args.addAll(snapshotArgs);
    return args.toArray(String[]::new);
  }
}
