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
package dev.floe.raft.storage.file;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * A file system in memory that keeps, for every file, what is durable and what is only written
 * (at page granularity, see {@link SimInode}), and for every directory its entries as of its last
 * sync plus the creations, removals and renames since, in order. {@link #crash} is a power loss:
 * it keeps what a {@link CrashPlan} chooses of what was not durable (a prefix of the directory
 * operations, any subset of each file's unsynced pages, either size), and the channels and locks
 * of the process that ran before stop working.
 *
 * <p>For tests it can also stop at the n-th force or directory sync as if the power failed there
 * ({@link #failAtDurabilityEvent}), fill up, and hold forces. Operators' faults ({@link
 * #deleteDurably}, {@link #replaceWithCopyOf}, {@link #flipDurably}) change the durable state
 * directly. Thread-safe: every
 * operation holds the monitor of the file system.
 */
final class SimFileSystem implements StorageIo {
  /** A name in a directory: a file or a directory. */
  private sealed interface Node permits File, Dir {}

  private record File(SimInode inode) implements Node {}

  /** A directory: its entries now, and as of its last sync. */
  private static final class Dir implements Node {
    final TreeMap<String, Node> live = new TreeMap<>();
    final TreeMap<String, Node> durable = new TreeMap<>();
  }

  /** An unsynced change of a directory: {@code removed} goes, then {@code added} names node. */
  private record DirOp(Dir dir, String removed, String added, Node node) {
    void applyDurably() {
      if (removed != null) {
        dir.durable.remove(removed);
      }
      if (added != null) {
        dir.durable.put(added, node);
      }
    }
  }

  private Dir root = new Dir();
  private final List<DirOp> pending = new ArrayList<>();
  private final Set<Path> locks = new HashSet<>();
  /** Incremented by every crash: channels of an older generation belong to a dead process. */
  private int generation;
  private long durabilityEventsBeforeFailure = Long.MAX_VALUE;
  private boolean powerFailed;
  private boolean full;
  private int forces;
  private int crashes;
  private int reorderedCrashes;
  private volatile CountDownLatch forceGate;

  // ---- faults for tests

  /** The power fails at the {@code n+1}-th force or directory sync from now (0: the next). */
  synchronized void failAtDurabilityEvent(long n) {
    durabilityEventsBeforeFailure = n;
  }

  /** Whether the power failed (every change fails until {@link #crash}). */
  synchronized boolean powerFailed() {
    return powerFailed;
  }

  /** Makes every later write fail as on a full disk. */
  synchronized void fill() {
    full = true;
  }

  /** Makes every force wait until the returned latch is counted down. */
  CountDownLatch holdForces() {
    CountDownLatch gate = new CountDownLatch(1);
    forceGate = gate;
    return gate;
  }

  synchronized int forces() {
    return forces;
  }

  synchronized int crashes() {
    return crashes;
  }

  /** How many crashes kept, in some file, a later unsynced page but not an earlier one. */
  synchronized int reorderedCrashes() {
    return reorderedCrashes;
  }

  /**
   * A power loss and restart: keeps what {@code plan} chooses of what was not durable; the open
   * channels and locks die with the process.
   *
   * @return whether some file kept a later unsynced page without an earlier one
   */
  synchronized boolean crash(CrashPlan plan) {
    int kept = plan.keptDirectoryOperations(pending.size());
    for (DirOp op : pending.subList(0, kept)) {
      op.applyDurably();
    }
    pending.clear();
    boolean reordered = restoreDurable(root, Path.of("/"), new IdentityHashMap<>(), plan);
    generation++;
    locks.clear();
    powerFailed = false;
    durabilityEventsBeforeFailure = Long.MAX_VALUE;
    crashes++;
    if (reordered) {
      reorderedCrashes++;
    }
    return reordered;
  }

  private static boolean restoreDurable(
      Dir dir, Path path, Map<SimInode, Boolean> seen, CrashPlan plan) {
    boolean reordered = false;
    dir.live.clear();
    dir.live.putAll(dir.durable);
    for (Map.Entry<String, Node> entry : dir.durable.entrySet()) {
      Path child = path.resolve(entry.getKey());
      if (entry.getValue() instanceof Dir sub) {
        reordered |= restoreDurable(sub, child, seen, plan);
      } else if (entry.getValue() instanceof File file && seen.put(file.inode(), true) == null) {
        reordered |= file.inode().crash(plan, child).keptLaterPageWithoutEarlier();
      }
    }
    return reordered;
  }

  /** How many pages, over every file, hold written content that is not durable yet. */
  synchronized int unsyncedPages() {
    return unsyncedPages(root, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static int unsyncedPages(Dir dir, Set<SimInode> seen) {
    int pages = 0;
    for (Node node : dir.live.values()) {
      if (node instanceof Dir sub) {
        pages += unsyncedPages(sub, seen);
      } else if (node instanceof File file && seen.add(file.inode())) {
        pages += file.inode().unsyncedPages();
      }
    }
    return pages;
  }

  /** Loses everything, as a new disk. */
  synchronized void wipe() {
    root = new Dir();
    pending.clear();
    locks.clear();
    generation++;
  }

  /** An operator removes a file of a stopped machine (durably). */
  synchronized void deleteDurably(Path file) throws IOException {
    Dir parent = parentOf(file);
    String name = file.getFileName().toString();
    if (parent.live.remove(name) == null) {
      throw new NoSuchFileException(file.toString());
    }
    parent.durable.remove(name);
  }

  /**
   * An operator puts a copy of what {@code other} holds durably at {@code path} (a file or a
   * directory) in place of what this file system holds there.
   */
  synchronized void replaceWithCopyOf(SimFileSystem other, Path path) throws IOException {
    Node copy;
    synchronized (other) {
      Node source = other.find(path);
      if (source == null) {
        throw new NoSuchFileException(path.toString());
      }
      copy = copyDurable(source);
    }
    Dir parent = parentOf(path);
    parent.live.put(path.getFileName().toString(), copy);
    parent.durable.put(path.getFileName().toString(), copy);
  }

  private static Node copyDurable(Node source) {
    if (source instanceof File file) {
      return new File(file.inode().durableCopy());
    }
    Dir copy = new Dir();
    for (Map.Entry<String, Node> entry : ((Dir) source).durable.entrySet()) {
      Node node = copyDurable(entry.getValue());
      copy.durable.put(entry.getKey(), node);
      copy.live.put(entry.getKey(), node);
    }
    return copy;
  }

  /** Damage: flips a bit of a file's durable and written content, as a failing disk might. */
  synchronized void flipDurably(Path file, long offset) throws IOException {
    inode(file).flip((int) offset);
  }

  // ---- StorageIo

  @Override
  public synchronized List<Path> list(Path dir) throws IOException {
    List<Path> children = new ArrayList<>();
    for (String name : dir(dir).live.keySet()) {
      children.add(dir.resolve(name));
    }
    return children;
  }

  @Override
  public synchronized boolean exists(Path path) {
    return find(path) != null;
  }

  @Override
  public synchronized boolean isDirectory(Path path) {
    return find(path) instanceof Dir;
  }

  @Override
  public synchronized long size(Path file) throws IOException {
    return inode(file).size();
  }

  @Override
  public synchronized byte[] readAllBytes(Path file) throws IOException {
    return inode(file).content();
  }

  @Override
  public synchronized void createDirectories(Path dir) throws IOException {
    checkPower();
    Dir current = root;
    Path path = dir.getRoot() != null ? dir.getRoot() : Path.of("");
    for (Path name : dir) {
      path = path.resolve(name);
      Node next = current.live.get(name.toString());
      if (next == null) {
        Dir created = new Dir();
        change(new DirOp(current, null, name.toString(), created));
        next = created;
      } else if (!(next instanceof Dir)) {
        throw new FileAlreadyExistsException(path.toString());
      }
      current = (Dir) next;
    }
  }

  @Override
  public synchronized FileChannel open(Path file, OpenOption... options) throws IOException {
    Set<OpenOption> set = Set.of(options);
    boolean write = set.contains(StandardOpenOption.WRITE);
    Dir parent = parentOf(file);
    String name = file.getFileName().toString();
    Node node = parent.live.get(name);
    if (node instanceof Dir) {
      throw new IOException(file + " is a directory");
    }
    if (node != null && set.contains(StandardOpenOption.CREATE_NEW)) {
      throw new FileAlreadyExistsException(file.toString());
    }
    if (node == null) {
      if (!set.contains(StandardOpenOption.CREATE)
          && !set.contains(StandardOpenOption.CREATE_NEW)) {
        throw new NoSuchFileException(file.toString());
      }
      checkPower();
      node = new File(new SimInode());
      change(new DirOp(parent, null, name, node));
    }
    SimInode inode = ((File) node).inode();
    if (write && set.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
      checkPower();
      inode.truncate(0);
    }
    boolean read = set.contains(StandardOpenOption.READ) || !write;
    return new SimFileChannel(this, inode, file, generation, read, write);
  }

  @Override
  public synchronized Closeable tryLock(Path file) throws IOException {
    open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
    if (!locks.add(file)) {
      return null;
    }
    int holder = generation;
    return () -> {
      synchronized (SimFileSystem.this) {
        if (generation == holder) {
          locks.remove(file);
        }
      }
    };
  }

  @Override
  public synchronized void syncDirectory(Path dir) throws IOException {
    Dir synced = dir(dir);
    durabilityEvent();
    List<DirOp> rest = new ArrayList<>();
    for (DirOp op : pending) {
      if (op.dir() == synced) {
        op.applyDurably();
      } else {
        rest.add(op);
      }
    }
    pending.clear();
    pending.addAll(rest);
  }

  @Override
  public synchronized void delete(Path file) throws IOException {
    checkPower();
    Dir parent = parentOf(file);
    String name = file.getFileName().toString();
    Node node = parent.live.get(name);
    if (node == null) {
      throw new NoSuchFileException(file.toString());
    }
    if (node instanceof Dir dir && !dir.live.isEmpty()) {
      throw new DirectoryNotEmptyException(file.toString());
    }
    change(new DirOp(parent, name, null, null));
  }

  @Override
  public synchronized void moveAtomically(Path source, Path target) throws IOException {
    checkPower();
    Dir parent = parentOf(source);
    if (parentOf(target) != parent) {
      throw new IOException("the simulated file system renames within one directory only: "
          + source + " -> " + target);
    }
    Node node = parent.live.get(source.getFileName().toString());
    if (node == null) {
      throw new NoSuchFileException(source.toString());
    }
    Node replaced = parent.live.get(target.getFileName().toString());
    if (replaced instanceof Dir dir && !dir.live.isEmpty()) {
      throw new DirectoryNotEmptyException(target.toString());
    }
    change(new DirOp(parent, source.getFileName().toString(), target.getFileName().toString(),
        node));
  }

  // ---- for SimFileChannel

  /** Checks that the channel's process is alive and the power on; called holding the monitor. */
  void checkChannel(int channelGeneration, boolean changes) throws IOException {
    if (channelGeneration != generation) {
      throw new IOException("simulated crash: the process that opened this channel is gone");
    }
    if (changes) {
      checkPower();
    }
  }

  void checkSpace() throws IOException {
    if (full) {
      throw new IOException("No space left on device");
    }
  }

  /** Forces an inode; waits at the gate first, outside the monitor. */
  void force(SimInode inode, int channelGeneration) throws IOException {
    CountDownLatch gate = forceGate;
    if (gate != null) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    synchronized (this) {
      checkChannel(channelGeneration, true);
      durabilityEvent();
      forces++;
      inode.force();
    }
  }

  // ---- internals

  private void change(DirOp op) {
    if (op.removed() != null) {
      op.dir().live.remove(op.removed());
    }
    if (op.added() != null) {
      op.dir().live.put(op.added(), op.node());
    }
    pending.add(op);
  }

  private void checkPower() throws IOException {
    if (powerFailed) {
      throw new IOException("simulated power failure");
    }
  }

  private void durabilityEvent() throws IOException {
    checkPower();
    if (durabilityEventsBeforeFailure == 0) {
      powerFailed = true;
      throw new IOException("simulated power failure");
    }
    if (durabilityEventsBeforeFailure != Long.MAX_VALUE) {
      durabilityEventsBeforeFailure--;
    }
  }

  private Node find(Path path) {
    Node current = root;
    for (Path name : path) {
      if (!(current instanceof Dir dir)) {
        return null;
      }
      current = dir.live.get(name.toString());
      if (current == null) {
        return null;
      }
    }
    return current;
  }

  private Dir dir(Path path) throws IOException {
    Node node = find(path);
    if (node == null) {
      throw new NoSuchFileException(path.toString());
    }
    if (!(node instanceof Dir dir)) {
      throw new NotDirectoryException(path.toString());
    }
    return dir;
  }

  private Dir parentOf(Path path) throws IOException {
    Path parent = path.getParent();
    return parent == null ? root : dir(parent);
  }

  private SimInode inode(Path file) throws IOException {
    Node node = find(file);
    if (node == null) {
      throw new NoSuchFileException(file.toString());
    }
    if (!(node instanceof File f)) {
      throw new IOException(file + " is a directory");
    }
    return f.inode();
  }
}
