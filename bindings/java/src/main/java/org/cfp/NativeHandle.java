package org.cfp;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;

/**
 * Owns one library object. Calls run under a read lock (or the write lock for objects that
 * are not thread-safe in C); {@link #close()} takes the write lock, so it waits for calls
 * in flight and no call ever sees a freed pointer. A handle that is never closed is freed
 * by a {@link Cleaner} once it is unreachable.
 */
abstract class NativeHandle implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  /** The pointer, kept apart from the handle so the Cleaner can free it later. */
  private static final class Owner implements Runnable {
    private long pointer;
    private final LongConsumer destroy;

    Owner(long pointer, LongConsumer destroy) {
      this.pointer = pointer;
      this.destroy = destroy;
    }

    @Override
    public void run() {
      long p = pointer;
      pointer = 0;
      if (p != 0) destroy.accept(p);
    }
  }

  /** A native call given the live pointer. */
  interface Call<T> {
    T apply(long pointer);
  }

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final String kind;
  private final Owner owner;
  private final Cleaner.Cleanable cleanable;

  NativeHandle(String kind, long pointer, LongConsumer destroy) {
    this.kind = kind;
    this.owner = new Owner(pointer, destroy);
    this.cleanable = CLEANER.register(this, owner);
  }

  /** Runs {@code call} under the read lock: for objects C lets threads share. */
  final <T> T shared(Call<T> call) {
    lock.readLock().lock();
    try {
      return call.apply(live());
    } finally {
      lock.readLock().unlock();
      Reference.reachabilityFence(this);
    }
  }

  /** Runs {@code call} under the write lock: for objects that are not thread-safe in C. */
  final <T> T exclusive(Call<T> call) {
    lock.writeLock().lock();
    try {
      return call.apply(live());
    } finally {
      lock.writeLock().unlock();
      Reference.reachabilityFence(this);
    }
  }

  private long live() {
    if (owner.pointer == 0) throw new IllegalStateException(kind + " is closed");
    return owner.pointer;
  }

  /** Whether {@link #close()} has run. */
  public final boolean isClosed() {
    lock.readLock().lock();
    try {
      return owner.pointer == 0;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Frees the library object. Closing again does nothing. */
  @Override
  public final void close() {
    lock.writeLock().lock();
    try {
      cleanable.clean();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
