package dev.floe.raft.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * A {@link StorageIo} over real files that remembers what a real disk would have kept after a power
 * loss: file contents as of their last {@code force}, directory entries as of the last directory
 * sync. {@link #crash} freezes it (every later call fails), {@link #restoreAfterCrash} rewrites the
 * files to what would have survived, optionally tearing unsynced appends after {@code n} bytes. It
 * can also fill the disk, and hold a force until released.
 */
final class SimulatedDisk implements StorageIo {
  /** A file's data, independent of its name (renames move it). */
  private static final class Inode {
    byte[] durable = new byte[0];
  }

  private final Map<Path, Inode> live = new HashMap<>();
  private final Map<Path, Inode> durable = new HashMap<>();
  private final Set<Path> known = new HashSet<>();
  private boolean crashed;
  private long remainingEvents = Long.MAX_VALUE;
  private int forces;
  private volatile boolean full;
  private volatile CountDownLatch forceGate;

  /** Crashes at the {@code n+1}-th force or directory sync from now; {@code n = 0} is at once. */
  synchronized void crashAfterDurabilityEvents(long n) {
    remainingEvents = n;
    if (n == 0) {
      crashed = true;
    }
  }

  /** Crashes now: nothing more becomes durable. */
  synchronized void crash() {
    crashed = true;
  }

  synchronized boolean crashed() {
    return crashed;
  }

  /** Makes every later write fail as on a full disk. */
  void fill() {
    full = true;
  }

  /** Number of data forces so far. */
  synchronized int forces() {
    return forces;
  }

  /** Makes every force wait until the returned latch is counted down. */
  CountDownLatch holdForces() {
    CountDownLatch gate = new CountDownLatch(1);
    forceGate = gate;
    return gate;
  }

  /**
   * After a crash, once the store is closed: leaves each file as the disk would have kept it, with
   * up to {@code tearBytes} of its unsynced appended bytes.
   */
  synchronized void restoreAfterCrash(int tearBytes) throws IOException {
    Set<Path> all = new HashSet<>(known);
    all.addAll(live.keySet());
    all.addAll(durable.keySet());
    for (Path path : all) {
      Inode inode = durable.get(path);
      if (inode == null) {
        Files.deleteIfExists(path);
        continue;
      }
      byte[] image = inode.durable;
      if (live.get(path) == inode && Files.exists(path)) {
        byte[] current = Files.readAllBytes(path);
        if (current.length > image.length
            && Arrays.equals(current, 0, image.length, image, 0, image.length)) {
          image = Arrays.copyOf(current, Math.min(current.length, image.length + tearBytes));
        }
      }
      Files.write(path, image);
    }
  }

  private void checkAlive() throws IOException {
    if (crashed) {
      throw new IOException("simulated crash");
    }
  }

  private void durabilityEvent() throws IOException {
    checkAlive();
    if (remainingEvents == 0) {
      crashed = true;
      throw new IOException("simulated crash");
    }
    if (remainingEvents != Long.MAX_VALUE) {
      remainingEvents--;
    }
  }

  /** Registers a file that existed before this disk saw it: it is durable as it is. */
  private void know(Path path) throws IOException {
    if (known.add(path) && Files.exists(path) && !live.containsKey(path)) {
      Inode inode = new Inode();
      inode.durable = Files.readAllBytes(path);
      live.put(path, inode);
      durable.put(path, inode);
    }
  }

  @Override
  public synchronized FileChannel open(Path file, OpenOption... options) throws IOException {
    checkAlive();
    know(file);
    FileChannel channel = FileChannel.open(file, options);
    Inode inode = live.computeIfAbsent(file, p -> new Inode());
    return new TrackedChannel(channel, inode, file);
  }

  @Override
  public synchronized void syncDirectory(Path dir) throws IOException {
    durabilityEvent();
    durable.keySet().removeIf(p -> dir.equals(p.getParent()) && !live.containsKey(p));
    live.forEach(
        (path, inode) -> {
          if (dir.equals(path.getParent())) {
            durable.put(path, inode);
          }
        });
  }

  @Override
  public synchronized void delete(Path file) throws IOException {
    checkAlive();
    know(file);
    live.remove(file);
    Files.delete(file);
  }

  @Override
  public synchronized void moveAtomically(Path source, Path target) throws IOException {
    checkAlive();
    know(source);
    know(target);
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    live.put(target, live.remove(source));
  }

  /** The file is still at {@code path}: the store renames files only after forcing them. */
  private void forced(Path path, Inode inode) throws IOException {
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
      durabilityEvent();
      forces++;
      inode.durable = Files.readAllBytes(path);
    }
  }

  private void beforeWrite() throws IOException {
    if (full) {
      throw new IOException("No space left on device");
    }
    synchronized (this) {
      checkAlive();
    }
  }

  /** Passes everything to a real channel, reporting forces and failing writes on demand. */
  private final class TrackedChannel extends FileChannel {
    private final FileChannel delegate;
    private final Inode inode;
    private final Path path;

    TrackedChannel(FileChannel delegate, Inode inode, Path path) {
      this.delegate = delegate;
      this.inode = inode;
      this.path = path;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return delegate.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      beforeWrite();
      return delegate.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      beforeWrite();
      return delegate.write(srcs, offset, length);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      beforeWrite();
      return delegate.write(src, position);
    }

    @Override
    public long position() throws IOException {
      return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      delegate.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      synchronized (SimulatedDisk.this) {
        checkAlive();
      }
      delegate.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      forced(path, inode);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected void implCloseChannel() throws IOException {
      delegate.close();
    }
  }
}
