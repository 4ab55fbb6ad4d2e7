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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class if any Netty buffer leaked during it.
 *
 * <p>Netty reports a leak only once the garbage collector has reclaimed a buffer that was never
 * released, and only from inside a later allocation, and only to its log. So this extension
 * installs, before any buffer class is initialized, a {@link ResourceLeakDetectorFactory} whose
 * detectors record every report; after the class it runs the collector, waits for reference
 * processing, allocates to trigger the reports, and fails if any arrived. The surefire
 * configuration sets the detection level to paranoid, so every buffer is tracked.
 *
 * <p>Register it with {@code @ExtendWith(LeakCheck.class)} before the test class touches Netty.
 * If the byte-buffer detector was created before the factory was installed, the class fails
 * rather than silently checking nothing.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static final AtomicBoolean BYTE_BUF_DETECTOR_INSTALLED = new AtomicBoolean();

  static {
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    PooledByteBufAllocator.DEFAULT.directBuffer(1).release(); // initializes AbstractByteBuf
    if (!BYTE_BUF_DETECTOR_INSTALLED.get()) {
      throw new IllegalStateException("LeakCheck was installed after Netty's buffer leak detector"
          + " was created; register it before anything touches Netty");
    }
    if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
      throw new IllegalStateException("run tests with -Dio.netty.leakDetection.level=paranoid");
    }
    takeLeaks(); // leaks from an earlier class were reported there
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> leaks = collectLeaks();
    if (!leaks.isEmpty()) {
      throw new AssertionError(leaks.size() + " Netty buffer leak(s) in "
          + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
    }
  }

  /** Collects garbage, triggers leak reports, and returns (and forgets) those reported. */
  static List<String> collectLeaks() {
    for (int round = 0; round < 3; round++) {
      awaitGarbageCollection();
      for (int i = 0; i < 4; i++) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(1);
        b.release();
      }
    }
    return takeLeaks();
  }

  private static List<String> takeLeaks() {
    List<String> taken = new ArrayList<>(LEAKS);
    LEAKS.removeAll(taken);
    return taken;
  }

  /** Runs the collector and waits (bounded) until it has enqueued the references it cleared. */
  private static void awaitGarbageCollection() {
    ReferenceQueue<Object> queue = new ReferenceQueue<>();
    WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
    for (int attempt = 0; attempt < 10; attempt++) {
      System.gc();
      try {
        if (queue.remove(200) != null) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("garbage collection did not clear " + sentinel);
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval) {
      if (resource == ByteBuf.class) {
        BYTE_BUF_DETECTOR_INSTALLED.set(true);
      }
      return new RecordingDetector<>(resource, samplingInterval);
    }

    /** Required by the abstract class; Netty no longer calls it. */
    @Override
    @Deprecated
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return newResourceLeakDetector(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected boolean needReport() {
      return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      LEAKS.add("LEAK: " + resourceType + records);
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      LEAKS.add("LEAK: " + resourceType + " (untraced)");
      super.reportUntracedLeak(resourceType);
    }
  }
}
