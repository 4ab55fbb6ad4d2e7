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

import dev.floe.raft.cluster.ClusterId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code new-cluster-id}: prints a new random cluster id ({@link ClusterId#random()}: 32 hex
 * digits), to give as {@code --cluster-id} to every founding member of a cluster started by hand.
 */
@Command(name = "new-cluster-id", mixinStandardHelpOptions = true,
    description = "Prints a new random cluster id, for the --cluster-id of a new cluster's nodes.")
final class NewClusterIdCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println(ClusterId.random().value());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
