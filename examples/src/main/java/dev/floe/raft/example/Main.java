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

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The example's command line: {@code node} runs one member of a cluster; {@code new-cluster-id}
 * creates the id of a new cluster; {@code submit}, {@code status}, {@code transfer} and {@code
 * members} and {@code backup} are clients of its HTTP API ({@code members force-reset} works on a
 * stopped node's directory); {@code demo} runs a local three-node cluster with an
 * interactive menu.
 */
@Command(
    name = "floe-example",
    mixinStandardHelpOptions = true,
    description = "Floe's three-node example: a replicated values.log and key-value store.",
    subcommands = {
      NodeCommand.class,
      NewClusterIdCommand.class,
      SubmitCommand.class,
      StatusCommand.class,
      TransferCommand.class,
      MembersCommand.class,
      BackupCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  /** Runs the command named by the first argument and exits with its status. */
  public static void main(String[] args) {
    configureLogging(args.length > 0 && args[0].equals("node"));
    CommandLine cli = new CommandLine(new Main());
    int status = cli.execute(args);
    System.exit(status);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** A node logs what it does; the clients log only warnings, so their output stays readable. */
  private static void configureLogging(boolean node) {
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", node ? "info" : "warn");
    setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
    setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
    setIfAbsent("org.slf4j.simpleLogger.logFile", "System.out");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
