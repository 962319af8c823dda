package io.aioring.nio;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.aioring.abi.SetupParams;
import io.aioring.abi.spi.AttributeRegistry;

/**
 * An {@link AsynchronousChannelGroup} whose sockets share one aioring context (a ring file like any other:
 * {@code aioring ls}, {@code trace} and {@code inspect} see it). Made by {@link AioChannelProvider}, as the JDK
 * makes its own:
 * <ul>
 * <li>a <em>fixed</em> group ({@code withFixedThreadPool}): its threads, made by the given factory, reap the context
 * and run the handlers; a handler must not block for long, as with the JDK's;</li>
 * <li>a group on an executor ({@code withCachedThreadPool}, {@code withThreadPool}): one thread of the group's own
 * reaps, and every handler runs on the executor;</li>
 * <li>the default group (channels opened without one): as a fixed group of
 * {@code java.nio.channels.DefaultThreadPool.initialSize} threads (default: one per processor) made by
 * {@code java.nio.channels.DefaultThreadPool.threadFactory} (default: daemon threads); it never shuts down.</li>
 * </ul>
 * Shutdown is the JDK's: no new channel once {@link #shutdown()} is called, termination once the last channel is
 * closed and its operations have ended; {@link #shutdownNow()} closes every channel. A terminated group's context is
 * destroyed and its executor shut down.
 */
public final class AioChannelGroup extends AsynchronousChannelGroup {
    private final SocketEngine engine;
    /** Where handlers run in a group on an executor; null in a fixed group (they run on its own threads). */
    private final ExecutorService executor;
    /** Handlers of a fixed group started off its threads, run by them on their next turn. */
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Set<Closeable> channels = ConcurrentHashMap.newKeySet();
    private final AtomicInteger liveLoops = new AtomicInteger();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final boolean isDefault;
    private volatile boolean shutdown;
    private volatile boolean stopping;

    private AioChannelGroup(final AioChannelProvider provider, final ExecutorService executor, final boolean isDefault,
                            final SetupParams params) {
        super(provider);
        this.engine = new SocketEngine(params, AttributeRegistry.discover(), NioSettings.attributeNames());
        this.executor = executor;
        this.isDefault = isDefault;
    }

    /** A fixed group: {@code threads} threads from {@code factory} reap and run handlers. */
    static AioChannelGroup fixed(final AioChannelProvider provider, final int threads, final ThreadFactory factory,
                                 final boolean isDefault, final SetupParams params) {
        if (threads <= 0) {
            throw new IllegalArgumentException("'nThreads' must be > 0");
        }
        final AioChannelGroup group = new AioChannelGroup(provider, null, isDefault, params);
        group.start(threads, factory);
        return group;
    }

    /** A group on {@code executor}: a thread of the group's own reaps; handlers run on the executor. */
    static AioChannelGroup onExecutor(final AioChannelProvider provider, final ExecutorService executor,
                                      final SetupParams params) {
        if (executor == null) {
            throw new NullPointerException("executor");
        }
        final AioChannelGroup group = new AioChannelGroup(provider, executor, false, params);
        group.start(1, task -> {
            final Thread thread = new Thread(task, "aioring-nio-group-reaper");
            thread.setDaemon(true);
            return thread;
        });
        return group;
    }

    private void start(final int threads, final ThreadFactory factory) {
        liveLoops.set(threads);
        for (int i = 0; i < threads; i++) {
            final Thread thread = factory.newThread(new GroupLoop(this, engine));
            if (thread == null) {
                engine.destroy();
                throw new IllegalStateException("the thread factory made no thread");
            }
            thread.start();
        }
    }

    SocketEngine engine() {
        return engine;
    }

    /**
     * Counts a new channel in.
     *
     * @throws ShutdownChannelGroupException if the group is shut down
     */
    void register(final Closeable channel) {
        channels.add(channel);
        if (shutdown) {
            channels.remove(channel);
            throw new ShutdownChannelGroupException();
        }
    }

    /** A channel closed and its operations ended: the group may now terminate. */
    void unregister(final Closeable channel) {
        channels.remove(channel);
        terminateIfDone();
    }

    /**
     * Runs {@code handler} as the group runs handlers: on a thread of a fixed group (here, if this is one), or on
     * the executor.
     */
    void dispatch(final Runnable handler) {
        if (executor != null) {
            try {
                executor.execute(handler);
            } catch (final RejectedExecutionException e) {
                handler.run(); // the executor was shut down under the group: the outcome is still told
            }
            return;
        }
        final GroupLoop loop = GroupLoop.current(this);
        if (loop != null && loop.runNested(handler)) {
            return;
        }
        tasks.offer(handler);
        engine.wake();
    }

    /**
     * Tells an operation's outcome: completes its future on this thread, or runs its handler as the group runs
     * handlers ({@link #dispatch}).
     *
     * @return null for a handler; else the future, a new completed one if the operation had none yet
     */
    <V, A> CompletableFuture<V> tell(final CompletionHandler<V, ? super A> handler, final A attachment,
                                     final CompletableFuture<V> future, final V value, final Throwable failure) {
        if (handler == null) {
            final CompletableFuture<V> target = future != null ? future : new CompletableFuture<>();
            if (failure == null) {
                target.complete(value);
            } else {
                target.completeExceptionally(failure);
            }
            return target;
        }
        dispatch(() -> {
            if (failure == null) {
                handler.completed(value, attachment);
            } else {
                handler.failed(failure, attachment);
            }
        });
        return null;
    }

    /** For the group's threads: runs the handlers handed to a fixed group from other threads. */
    void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (final Throwable t) {
                GroupLoop.uncaught(t);
            }
        }
    }

    boolean stopping() {
        return stopping;
    }

    /** Terminates once shut down with no channel left and nothing in flight: the loops end, the last one cleans up. */
    void terminateIfDone() {
        if (!shutdown || stopping || !channels.isEmpty() || engine.inFlight() != 0 || !tasks.isEmpty()) {
            return;
        }
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        for (int i = liveLoops.get(); i > 0; i--) {
            engine.wake();
        }
    }

    /** The last loop to end destroys the context, shuts the executor down and marks the group terminated. */
    void loopEnded() {
        if (liveLoops.decrementAndGet() == 0) {
            engine.destroy();
            if (executor != null) {
                executor.shutdown();
            }
            terminated.countDown();
        }
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    @Override
    public void shutdown() {
        if (isDefault) {
            return; // the default group lives as long as the JVM
        }
        shutdown = true;
        terminateIfDone();
    }

    @Override
    public void shutdownNow() throws IOException {
        if (isDefault) {
            return;
        }
        shutdown = true;
        for (final Closeable channel : channels.toArray(new Closeable[0])) {
            channel.close();
        }
        terminateIfDone();
    }

    @Override
    public boolean awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }
}
