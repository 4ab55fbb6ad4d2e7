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
package dev.floe.raft.sim;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one of Floe's own simulation runs that a command line can give, the simulation
 * they describe, and the Maven command that replays it from the repository's root ({@code
 * SimulationTest#replay} with {@code -Dfloe.sim.*} properties). A user's project replays its runs
 * by seed instead (see {@link SimulationReport#replay()}).
 */
record CiRun(long seed, int nodes, long safetyMillis, long livenessMillis, int clients,
    boolean membershipChanges, boolean edgeFaults) {
  private static final CiRun DEFAULTS = new CiRun(1, 3, 10_000, 10_000, 3, true, true);
  private static final Pattern SIM_PROPERTY =
      Pattern.compile("-D(floe\\.sim\\.[A-Za-z.]+)=(\\S+)");

  /** A run with every default but its seed and size, as CI runs them. */
  static CiRun of(long seed, int nodes) {
    return new CiRun(seed, nodes, DEFAULTS.safetyMillis, DEFAULTS.livenessMillis,
        DEFAULTS.clients, true, true);
  }

  Simulation.Builder builder() {
    return Simulation.builder().seed(seed).nodes(nodes).durations(safetyMillis, livenessMillis)
        .clients(clients).membershipChanges(membershipChanges).edgeFaults(edgeFaults);
  }

  SimulationReport run() {
    return builder().run();
  }

  /** The command that replays this run: the seed, the size, and every setting not the default. */
  String command() {
    StringBuilder c = new StringBuilder("mvn -B -ntp -o -pl raft-testkit -am"
        + " -Dsurefire.failIfNoSpecifiedTests=false '-Dtest=SimulationTest#replay'");
    c.append(" -Dfloe.sim.seed=").append(seed).append(" -Dfloe.sim.nodes=").append(nodes);
    if (safetyMillis != DEFAULTS.safetyMillis) {
      c.append(" -Dfloe.sim.safetyMillis=").append(safetyMillis);
    }
    if (livenessMillis != DEFAULTS.livenessMillis) {
      c.append(" -Dfloe.sim.livenessMillis=").append(livenessMillis);
    }
    if (clients != DEFAULTS.clients) {
      c.append(" -Dfloe.sim.clients=").append(clients);
    }
    if (membershipChanges != DEFAULTS.membershipChanges) {
      c.append(" -Dfloe.sim.membershipChanges=").append(membershipChanges);
    }
    if (edgeFaults != DEFAULTS.edgeFaults) {
      c.append(" -Dfloe.sim.edgeFaults=").append(edgeFaults);
    }
    return c.append(" test").toString();
  }

  /** The {@code -Dfloe.sim.*} settings a replay command gives. */
  static Map<String, String> settingsOf(String command) {
    Map<String, String> settings = new TreeMap<>();
    Matcher m = SIM_PROPERTY.matcher(command);
    while (m.find()) {
      settings.put(m.group(1), m.group(2));
    }
    return settings;
  }

  /** The run that the settings of a replay command (or system properties) describe. */
  static CiRun parse(Function<String, String> setting) {
    return new CiRun(Long.parseLong(setting.apply("floe.sim.seed")),
        Integer.parseInt(or(setting, "floe.sim.nodes", DEFAULTS.nodes)),
        Long.parseLong(or(setting, "floe.sim.safetyMillis", DEFAULTS.safetyMillis)),
        Long.parseLong(or(setting, "floe.sim.livenessMillis", DEFAULTS.livenessMillis)),
        Integer.parseInt(or(setting, "floe.sim.clients", DEFAULTS.clients)),
        Boolean.parseBoolean(or(setting, "floe.sim.membershipChanges", true)),
        Boolean.parseBoolean(or(setting, "floe.sim.edgeFaults", true)));
  }

  private static String or(Function<String, String> setting, String name, Object value) {
    String v = setting.apply(name);
    return v != null ? v : String.valueOf(value);
  }
}
