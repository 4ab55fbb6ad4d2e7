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
package dev.floe.raft.transport.netty;

import io.netty.util.Version;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty version on the class path, as Netty's jars report it, and a warning (once per class
 * loader) when they report different versions: a 4.1 {@code netty-codec} beside a 4.2 {@code
 * netty-handler}, say, which a dependency tree without the {@code io.netty:netty-bom} easily
 * produces, and which fails later in ways that do not name the cause.
 */
final class NettyVersions {
  private static final Logger log = LoggerFactory.getLogger(NettyVersions.class);
  private static final String SUMMARY = summarize();

  private NettyVersions() {}

  /** Returns the version, such as {@code 4.2.7.Final}, or a list of the versions found. */
  static String summary() {
    return SUMMARY;
  }

  private static String summarize() {
    Map<String, String> byArtifact = new TreeMap<>();
    try {
      for (Map.Entry<String, Version> e
          : Version.identify(NettyVersions.class.getClassLoader()).entrySet()) {
        if (isNettyProper(e.getKey())) {
          byArtifact.put(e.getKey(), e.getValue().artifactVersion());
        }
      }
    } catch (RuntimeException | LinkageError e) {
      return "unknown";
    }
    TreeSet<String> versions = new TreeSet<>(byArtifact.values());
    if (versions.isEmpty()) {
      return "unknown";
    }
    if (versions.size() == 1) {
      return versions.first();
    }
    log.warn("Netty jars of different versions are on the class path: {}; align them (import "
        + "io.netty:netty-bom of one version line in dependencyManagement)", byArtifact);
    return String.join("/", versions) + " (mixed)";
  }

  /** Netty's own jars; tcnative, the JNI utilities and the incubator have versions of their own. */
  private static boolean isNettyProper(String artifactId) {
    return artifactId.startsWith("netty-") && !artifactId.startsWith("netty-tcnative")
        && !artifactId.startsWith("netty-jni") && !artifactId.startsWith("netty-incubator");
  }
}
