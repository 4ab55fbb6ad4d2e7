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

import dev.floe.raft.Backup;
import dev.floe.raft.RaftNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /backup}: the node writes a backup ({@link Backup#write}) into {@code
 * <data-dir>/backups}, answers it as the body ({@code application/octet-stream}, with its index
 * and term in the {@code Floe-Backup-Index} and {@code Floe-Backup-Term} headers) and removes its
 * copy. It is open to whoever reaches the HTTP API, as every other route is: keep that port off
 * networks you do not trust.
 *
 * <p>The example keeps the backup in memory to answer it, so its state must fit in the heap, as it
 * does anyway; the {@code backup} command then writes and checks the file on the caller's side.
 */
final class BackupRoute {
  private static final Logger log = LoggerFactory.getLogger(BackupRoute.class);
  static final String INDEX_HEADER = "Floe-Backup-Index";
  static final String TERM_HEADER = "Floe-Backup-Term";

  private final RaftNode node;
  private final Path dir;

  BackupRoute(RaftNode node, Path dir) {
    this.node = node;
    this.dir = dir;
  }

  /** Writes the backup off the event loop (it blocks), then answers it. */
  void serve(HttpApi.Exchange ex) {
    CompletableFuture.runAsync(() -> {
      Path file = null;
      try {
        Files.createDirectories(dir);
        file = Files.createTempFile(dir, "backup-", ".floe");
        Backup.Info info = Backup.write(node, file);
        byte[] body = Files.readAllBytes(file);
        log.info("{}: wrote a backup at index {}, term {} ({} bytes)", node.id(), info.index(),
            info.term(), body.length);
        ex.bytes(HttpResponseStatus.OK, body, "application/octet-stream",
            INDEX_HEADER, Long.toString(info.index()), TERM_HEADER, Long.toString(info.term()));
      } catch (IOException | RuntimeException e) {
        log.warn("{}: the backup failed", node.id(), e);
        ex.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the backup failed: " + e.getMessage());
      } finally {
        deleteQuietly(file);
      }
    });
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("could not remove {}", file, e);
    }
  }
}
