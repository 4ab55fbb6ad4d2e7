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

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The live page's files, served by every node and by the demo from the jar: {@code /} (the HTML),
 * {@code /page.js} and {@code /page.css}. They reference nothing outside the server that serves
 * them, so the page works with no internet.
 *
 * <p>Read once, when the class loads; thread-safe.
 */
final class PageAssets {
  /** A file to serve: its bytes and content type. */
  record Asset(byte[] bytes, String contentType) {}

  private static final Map<String, Asset> ASSETS = Map.of(
      "", load("index.html", "text/html; charset=utf-8"),
      "page.js", load("page.js", "text/javascript; charset=utf-8"),
      "page.css", load("page.css", "text/css; charset=utf-8"));

  private PageAssets() {}

  /**
   * The asset at the one-segment path {@code name} ({@code ""} for {@code /}), or null if there is
   * none.
   */
  static Asset find(String name) {
    return ASSETS.get(name);
  }

  private static Asset load(String name, String contentType) {
    String resource = "page/" + name;
    try (InputStream in = PageAssets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks " + resource + " next to "
            + PageAssets.class.getName());
      }
      return new Asset(in.readAllBytes(), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
